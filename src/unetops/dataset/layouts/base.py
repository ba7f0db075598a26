"""The contract every source-layout adapter fulfils."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from unetops.dataset.items import SourceItem
from unetops.imageio import is_image_file

KNOWN_MASK_KEYWORDS: tuple[str, ...] = (
    "_mask", "_masks", "-mask", "_label", "_labels", "_seg", "_gt", "_annotation", "_anno", "mask",
)  # fmt: skip


class SourceLayout(ABC):
    """Finds the image/mask pairs of one kind of source folder.

    Subclasses set `name` and `summary`, say whether a folder looks like theirs (`detect`), and list
    every pair they find (`scan`), including incomplete ones: an image without a mask is an item with
    no masks, so that the health check can report it.

    Args:
        mask_keyword: suffix of mask file stems; None tries `KNOWN_MASK_KEYWORDS`.
    """

    name: ClassVar[str]
    summary: ClassVar[str]

    def __init__(self, mask_keyword: str | None = None) -> None:
        self.mask_keyword = mask_keyword

    @classmethod
    @abstractmethod
    def detect(cls, root: Path) -> bool:
        """True when `root` looks like this layout; cheap (names only, no pixels read)."""

    @abstractmethod
    def scan(self, root: Path) -> list[SourceItem]:
        """Every candidate pair under `root`, sorted by key."""

    def strip_keyword(self, stem: str) -> tuple[str, bool]:
        """(stem without the mask keyword, whether a keyword was found)."""
        keywords = (self.mask_keyword,) if self.mask_keyword else KNOWN_MASK_KEYWORDS
        lowered = stem.lower()
        for keyword in keywords:
            if lowered.endswith(keyword.lower()) and len(stem) > len(keyword):
                return stem[: -len(keyword)], True
        return stem, False


def walk_tree(folder: Path) -> Iterator[tuple[Path, list[str], list[str]]]:
    """`os.walk` of the visible part of `folder`, never into symbolic links (see `source_links`), sorted."""
    for top, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(top, d)))
        yield Path(top), dirs, sorted(f for f in files if not f.startswith("."))


def walk_image_files(folder: Path) -> Iterator[Path]:
    """Image files under `folder`, recursively, in sorted order, skipping hidden ones and symbolic links."""
    for top, _, files in walk_tree(folder):
        for name in files:
            path = top / name
            if not path.is_symlink() and is_image_file(path):
                yield path


def child_dirs(folder: Path) -> list[Path]:
    """Visible sub-folders of `folder` that are not symbolic links, sorted."""
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))


def source_links(root: Path) -> list[Path]:
    """Every symbolic link (to a file or a folder) in the visible part of `root`: the scans do not follow them."""
    links: list[Path] = []
    for top, dirs, files in os.walk(root, followlinks=False):  # lists links to folders, never enters them
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        links += [Path(top, n) for n in (*dirs, *files) if not n.startswith(".") and os.path.islink(Path(top, n))]
    return sorted(links)
