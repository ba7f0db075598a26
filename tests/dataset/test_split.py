from __future__ import annotations

import re

import pytest

from unetops.dataset.inspect import ItemReport
from unetops.dataset.split import assign_groups, group_of, split_groups
from unetops.spec import SplitFractions


@pytest.mark.parametrize(
    ("pattern", "path", "group"),
    [
        (r"(slide\d+)", "Ki-67/images/slide03_t1.png", "slide03"),
        (r"P\d+", "a/P12-x.png", "P12"),
        (r"(slide\d+)", "x.png", None),
    ],
)
def test_group_of(pattern: str, path: str, group: str | None) -> None:
    assert group_of(path, re.compile(pattern)) == group


def test_split_is_deterministic_and_never_divides_a_group() -> None:
    sizes = {f"g{i}": 1 + i % 4 for i in range(40)}
    fractions = SplitFractions(train=0.6, val=0.2, test=0.2)
    first = split_groups(sizes, fractions, seed=3)
    assert first == split_groups(dict(reversed(list(sizes.items()))), fractions, seed=3)
    assert first != split_groups(sizes, fractions, seed=4)
    counts = {s: sum(n for g, n in sizes.items() if first[g] == s) for s in ("train", "val", "test")}
    total = sum(sizes.values())
    for split, fraction in fractions.as_dict().items():
        assert abs(counts[split] - fraction * total) <= 4


def test_zero_fraction_split_gets_nothing() -> None:
    assignment = split_groups({f"g{i}": 1 for i in range(10)}, SplitFractions(train=0.8, val=0.2, test=0.0), seed=0)
    assert "test" not in assignment.values()
    assert sorted(assignment.values()).count("val") == 2


def report(key: str, sha: str) -> ItemReport:
    return ItemReport(key=key, image_file=f"{key}.png", mask_files=[], image_sha256=sha)


def test_duplicates_share_a_group() -> None:
    reports = [report("slide1_a", "h1"), report("slide2_a", "h1"), report("slide3_a", "h2")]
    assign_groups(reports, r"(slide\d)")
    assert reports[0].group == reports[1].group == "slide1"
    assert reports[2].group == "slide3"
    assert [p.code for p in reports[0].problems] == ["duplicate"]


def test_without_pattern_each_item_is_its_own_group() -> None:
    reports = [report("a", "h1"), report("b", "h2")]
    assign_groups(reports, None)
    assert [r.group for r in reports] == ["item:a", "item:b"] and not reports[0].problems
