"""`check_source`: every problem of a source dataset at once, with statistics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from unetops.dataset.colour import colour_mismatches
from unetops.dataset.inspect import ItemReport, inspect_item
from unetops.dataset.layouts import scan_source
from unetops.dataset.links import link_problems
from unetops.dataset.problems import Problem, Severity
from unetops.dataset.split import assign_groups, source_split_leaks
from unetops.dataset.statistics import summarise
from unetops.imageio.types import ColorModel
from unetops.parallel import parallel_map


@dataclass
class CheckReport:
    """The health check's result."""

    source: Path
    layout: str
    items: list[ItemReport]
    statistics: dict[str, Any]
    source_problems: list[Problem] = field(default_factory=list)  # not tied to an item (links)

    @property
    def problems(self) -> list[Problem]:
        """All problems, errors first, then by file."""
        order = {Severity.error: 0, Severity.warning: 1, Severity.info: 2}
        found = [p for r in self.items for p in r.problems] + self.source_problems
        return sorted(found, key=lambda p: (order[p.severity], p.file, p.code))

    def count(self, severity: Severity) -> int:
        return sum(p.severity is severity for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": str(self.source),
            "layout": self.layout,
            "statistics": self.statistics,
            "problems": [p.to_dict() for p in self.problems],
        }


def finish_reports(
    reports: list[ItemReport], group_pattern: str | None, color_model: ColorModel | None = None
) -> dict[str, Any]:
    """Cross-item checks (groups, duplicates, split leaks, colour model), then the statistics."""
    assign_groups(reports, group_pattern)
    source_split_leaks(reports)
    colour_mismatches(reports, color_model)
    return summarise(reports)


def check_source(
    source: Path,
    *,
    layout: str | None = None,
    mask_keyword: str | None = None,
    group_pattern: str | None = None,
    color_model: ColorModel | None = None,
    workers: int | None = None,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> CheckReport:
    """Read every pair of `source` and report all problems at once.

    Args:
        source: folder (or CSV manifest) in any layout of `unetops.dataset.layouts.LAYOUTS`.
        layout: force a layout by name instead of detecting it.
        mask_keyword: suffix of mask stems; None tries the common ones.
        group_pattern: regex naming the slide or patient in each path (see `DatasetSpec.group_pattern`).
        color_model: the spec's colour model; None takes the majority of the images.
        workers: processes to use; all cores by default.
        on_start: called once with the number of items found.
        on_progress: called with 1 after each item.
    """
    layout_name, items = scan_source(source, layout=layout, mask_keyword=mask_keyword)
    if on_start:
        on_start(len(items))
    reports = parallel_map(partial(inspect_item, root=source), items, workers=workers, on_progress=on_progress)
    statistics = finish_reports(reports, group_pattern, color_model)
    return CheckReport(source, layout_name, reports, statistics, link_problems(source))
