"""Symbolic links in a source: reported, never followed (a link back into the source doubles the dataset, a
link out of it reads files that are not the source's)."""

from __future__ import annotations

from pathlib import Path

from unetops.dataset.layouts.base import source_links
from unetops.dataset.problems import Problem


def link_problems(root: Path) -> list[Problem]:
    """One `link-not-followed` problem per symbolic link under `root`, saying where it leads."""
    problems = []
    base = root.resolve()
    for link in source_links(root):
        target = link.resolve()
        where = "back into the source" if target == base or base in target.parents else "out of the source"
        relative = link.relative_to(root).as_posix()
        problems.append(Problem("link-not-followed", relative, f"symbolic link to {target} ({where}): not followed"))
    return problems
