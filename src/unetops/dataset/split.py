"""Groups (slide or patient), duplicates and the deterministic, leak-free train/val/test split."""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np

from unetops.dataset.inspect import ItemReport
from unetops.dataset.problems import Problem
from unetops.spec.model import SplitFractions

SPLITS = ("train", "val", "test")


def group_of(path: str, pattern: re.Pattern[str] | None) -> str | None:
    """The group a source path belongs to: the pattern's first capture group, or its whole match."""
    if pattern is None:
        return None
    match = pattern.search(path)
    if match is None:
        return None
    return match.group(1) if match.groups() else match.group(0)


def assign_groups(reports: list[ItemReport], group_pattern: str | None) -> None:
    """Fill `report.group` for every item and add `group-unmatched` and `duplicate` problems.

    Items without a source group or pattern match form their own group. Items with byte-identical images
    are put in one group so that a duplicate never sits in two splits.
    """
    pattern = re.compile(group_pattern) if group_pattern else None
    for report in reports:
        if report.group is None:
            report.group = group_of(report.image_file or report.key, pattern)
            if pattern is not None and report.group is None:
                report.problems.append(
                    Problem(
                        "group-unmatched",
                        report.image_file or report.key,
                        f"group_pattern {pattern.pattern!r} does not match",
                        report.key,
                    )
                )
        report.group = report.group or f"item:{report.key}"
    by_hash: dict[str, list[ItemReport]] = defaultdict(list)
    for report in reports:
        if report.image_sha256:
            by_hash[report.image_sha256].append(report)
    for copies in by_hash.values():
        if len(copies) < 2:
            continue
        names = ", ".join(c.image_file or c.key for c in copies)
        merged = min(c.group or "" for c in copies)
        old_groups = {c.group for c in copies}
        for report in reports:
            if report.group in old_groups:
                report.group = merged
        for copy in copies:
            copy.problems.append(
                Problem("duplicate", copy.image_file or copy.key, f"identical images: {names}", copy.key)
            )


def source_split_leaks(reports: list[ItemReport]) -> None:
    """Add `group-across-splits` to items whose group appears in more than one split folder of the source."""
    splits: dict[str, set[str]] = defaultdict(set)
    for report in reports:
        if report.source_split and report.group and not report.group.startswith("item:"):
            splits[report.group].add(report.source_split)
    for report in reports:
        found = splits.get(report.group or "", set())
        if len(found) > 1:
            report.problems.append(
                Problem(
                    "group-across-splits",
                    report.image_file or report.key,
                    f"group {report.group!r} is in the source splits {', '.join(sorted(found))}",
                    report.key,
                )
            )


def split_groups(group_sizes: dict[str, int], fractions: SplitFractions, seed: int) -> dict[str, str]:
    """Assign each group to train, val or test.

    Groups are shuffled with `seed` (after sorting, so the result depends only on names, sizes and seed)
    and each goes to the split furthest below its target item count. A group is never divided.
    """
    names = sorted(group_sizes)
    order = np.random.default_rng(seed).permutation(len(names))
    total = sum(group_sizes.values())
    targets = {name: getattr(fractions, name) * total for name in SPLITS}
    counts = dict.fromkeys(SPLITS, 0)
    assignment: dict[str, str] = {}
    for index in order:
        group = names[index]
        split = max(
            SPLITS, key=lambda s: (targets[s] - counts[s], -SPLITS.index(s)) if targets[s] > 0 else (-np.inf, 0)
        )
        assignment[group] = split
        counts[split] += group_sizes[group]
    return assignment
