from __future__ import annotations

from pathlib import Path

import numpy as np

from helpers import rgb_image, write_image, write_pair
from unetops.dataset.check import check_source
from unetops.dataset.problems import CATALOGUE, Problem, Severity
from unetops.sample import PLANTED_PROBLEMS, SampleSummary


def found(report) -> set[tuple[str, str]]:
    return {(p.file, p.code) for p in report.problems}


def test_every_planted_problem_is_reported_and_nothing_else(sample: SampleSummary) -> None:
    report = check_source(sample.source, group_pattern=r"(slide\d+)", workers=2)
    assert found(report) == set(sample.planted.items())
    assert set(PLANTED_PROBLEMS.values()) <= {p.code for p in report.problems}
    assert report.layout == "separate"


def test_statistics(sample: SampleSummary) -> None:
    stats = check_source(sample.source, workers=1).statistics
    assert stats["items"] == 26 and stats["with_errors"] == 4 and stats["usable"] == 22
    assert stats["tags"] == {"ER": 8, "Ki-67": 18}
    assert 0.03 < stats["foreground_fraction"]["median"] < 0.2
    assert stats["objects_per_mask"]["min"] == 0 and stats["objects_per_mask"]["max"] > 20
    assert stats["problems"]["error:unreadable"] == 1


def test_several_masks_and_several_images(tmp_path: Path) -> None:
    write_pair(tmp_path, "images/a.png", "masks/a.png")
    write_pair(tmp_path, "images/a.png", "masks/a_mask.png")
    write_pair(tmp_path, "images/b.png", "masks/b.png", seed=1)
    write_image(tmp_path / "images" / "b.jpg", rgb_image(32, 2))
    codes = {p.code for p in check_source(tmp_path, workers=1).problems}
    assert {"several-masks", "several-images"} <= codes


def test_groups_split_across_source_splits(tmp_path: Path) -> None:
    write_pair(tmp_path, "train/images/p1_a.png", "train/masks/p1_a.png")
    write_pair(tmp_path, "test/images/p1_b.png", "test/masks/p1_b.png", seed=1)
    write_pair(tmp_path, "test/images/p2_a.png", "test/masks/p2_a.png", seed=2)
    report = check_source(tmp_path, group_pattern=r"(p\d+)_", workers=1)
    leaks = sorted(p.file for p in report.problems if p.code == "group-across-splits")
    assert leaks == ["test/images/p1_b.png", "train/images/p1_a.png"]


def test_unmatched_group_pattern(tmp_path: Path) -> None:
    write_pair(tmp_path, "a.png", "a_mask.png")
    assert {p.code for p in check_source(tmp_path, group_pattern="slide", workers=1).problems} == {"group-unmatched"}


def test_transparent_alpha_and_clean_source(tmp_path: Path) -> None:
    write_pair(tmp_path, "a.png", "a_mask.png")
    assert check_source(tmp_path, workers=1).problems == []
    rgba = np.dstack([rgb_image(32), np.full((32, 32), 255, np.uint8)])
    rgba[0, 0, 3] = 0
    from PIL import Image

    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    assert [p.code for p in check_source(tmp_path, workers=1).problems] == ["alpha-transparent"]


def test_report_json_has_fix_and_severity(sample: SampleSummary) -> None:
    data = check_source(sample.source, workers=1).to_dict()
    first = data["problems"][0]
    assert first["severity"] == "error" and first["fix"] == CATALOGUE[first["code"]][1]


def test_problem_codes_are_checked() -> None:
    assert Problem("duplicate", "f", "m").severity is Severity.warning
    import pytest

    with pytest.raises(ValueError, match="unknown problem code"):
        Problem("nonsense", "f", "m")


def test_grey_images_in_a_colour_dataset_are_reported(tmp_path: Path) -> None:
    from helpers import disc_mask, rgb_image, write_image, write_mask
    from unetops.imageio.types import ColorModel

    for index in range(3):
        write_image(tmp_path / "images" / f"c{index}.png", rgb_image(32, seed=index))
        write_mask(tmp_path / "masks" / f"c{index}.png", disc_mask(32))
    write_image(tmp_path / "images" / "g.png", rgb_image(32, seed=9)[..., 0])
    write_mask(tmp_path / "masks" / "g.png", disc_mask(32))

    def mismatches(color_model: ColorModel | None) -> list[str]:
        report = check_source(tmp_path, color_model=color_model, workers=1)
        return [p.file for p in report.problems if p.code == "color-model-mismatch"]

    assert mismatches(None) == ["images/g.png"]  # most images are colour
    assert mismatches(ColorModel.rgb) == ["images/g.png"]
    assert mismatches(ColorModel.grayscale) == []  # a grey dataset takes colour images as luminance
    problem = next(p for p in check_source(tmp_path, workers=1).problems if p.code == "color-model-mismatch")
    assert "3 of 4 images are colour" in problem.message and "color_model grayscale" in problem.fix


def test_links_are_reported_and_never_followed(tmp_path: Path) -> None:
    from unetops.dataset.build import build_dataset
    from unetops.spec import DatasetSpec

    source, outside = tmp_path / "src", tmp_path / "elsewhere"
    write_pair(source, "images/a.png", "masks/a.png")
    write_pair(source, "images/b.png", "masks/b.png", seed=1)
    write_pair(outside, "images/x.png", "masks/x.png", seed=2)
    (source / "images" / "loop").symlink_to("..")  # back into the source: would double the dataset
    (source / "images" / "x.png").symlink_to(outside / "images" / "x.png")  # out of the source
    (source / "masks" / "x.png").symlink_to(outside / "masks" / "x.png")
    report = check_source(source, workers=1)
    assert sorted(r.key for r in report.items) == ["a", "b"]
    links = {p.file: p.message for p in report.problems if p.code == "link-not-followed"}
    assert set(links) == {"images/loop", "images/x.png", "masks/x.png"}
    assert "back into the source" in links["images/loop"] and "out of the source" in links["images/x.png"]
    manifest = build_dataset(source, DatasetSpec(width=32, height=32), tmp_path / "out", workers=1)
    assert len(manifest.items) == 2
    assert {p["file"] for p in manifest.problems if p["code"] == "link-not-followed"} == set(links)
