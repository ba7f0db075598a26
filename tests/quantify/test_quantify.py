from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest
from pydantic import ValidationError

from helpers import write_image, write_mask
from unetops.preprocess.deconvolution import deconvolve
from unetops.quantify.config import PROFILES, QuantifyConfig, QuantifyError, load_profile
from unetops.quantify.features import intensity_bins, min_feret, nucleus_features
from unetops.quantify.instances import nucleus_instances, touches_border
from unetops.quantify.run import masks_from_folder, quantify_images
from unetops.quantify.summary import allred_proportion, image_summary
from unetops.sample import synthetic_ihc_tile

KI67 = load_profile("ki67")


def test_shipped_profiles() -> None:
    loaded = {name: load_profile(name) for name in PROFILES}
    assert all(p.name == name for name, p in loaded.items())
    assert not any(p.experimental for p in loaded.values())
    assert loaded["her2"].compartment == "membrane"  # HER2 is scored by membrane, the others by nucleus
    assert {loaded[name].compartment for name in ("ki67", "er", "pr")} == {"nucleus"}


def test_profile_errors(tmp_path: Path) -> None:
    with pytest.raises(QuantifyError, match="no profile named"):
        load_profile("cd3")
    (tmp_path / "bad.yaml").write_text("positive_threshold: -1\n")
    with pytest.raises(QuantifyError, match="positive_threshold"):
        load_profile(tmp_path / "bad.yaml")
    with pytest.raises(ValidationError, match="must increase"):
        QuantifyConfig(intensity_cutoffs=(0.4, 0.2, 0.6))


def test_disc_and_square_shape_features() -> None:
    labels = np.zeros((120, 120), np.int32)
    yy, xx = np.mgrid[:120, :120]
    labels[(yy - 30) ** 2 + (xx - 30) ** 2 <= 20**2] = 1
    labels[70:100, 60:90] = 2  # a 30 x 30 square
    f = nucleus_features(labels, np.full((120, 120, 3), 200, np.uint8), KI67, pixel_size=0.5)
    assert f["circularity"][0] == pytest.approx(1.0, abs=0.1)
    assert f["eccentricity"][0] < 0.1 and f["solidity"][0] > 0.95
    assert f["min_feret"][1] == pytest.approx(30, abs=0.5)
    assert f["max_feret"][1] == pytest.approx(30 * math.sqrt(2), abs=1.5)
    assert f["area"][1] == 900 and f["area_um2"][1] == pytest.approx(225)
    assert f["aspect_ratio"][1] == pytest.approx(1.0, abs=0.01)
    assert f["extent"][1] == 1.0


def test_min_feret_of_a_thin_line() -> None:
    line = np.zeros((5, 20), bool)
    line[2, 3:17] = True
    assert min_feret(line) == pytest.approx(1.0)


def test_touching_nuclei_are_split() -> None:
    mask = np.zeros((60, 80), bool)
    yy, xx = np.mgrid[:60, :80]
    mask |= (yy - 30) ** 2 + (xx - 25) ** 2 <= 12**2
    mask |= (yy - 30) ** 2 + (xx - 46) ** 2 <= 12**2  # overlapping discs: one connected component
    assert cv2.connectedComponents(mask.astype(np.uint8))[0] - 1 == 1
    assert nucleus_instances(mask, KI67).max() == 2
    assert nucleus_instances(mask, KI67.model_copy(update={"split_touching": False})).max() == 1


def test_small_objects_removed_and_border_flagged() -> None:
    mask = np.zeros((40, 40), bool)
    mask[10:20, 10:20] = True
    mask[30:32, 30:32] = True  # 4 pixels
    mask[0:8, 25:33] = True  # touches the top border
    labels = nucleus_instances(mask, KI67)
    assert labels.max() == 2 and touches_border(labels).tolist() == [True, False]


def test_deconvolution_recovers_dab() -> None:
    tile = synthetic_ihc_tile(np.random.default_rng(0), nuclei=30, positive_fraction=0.5)
    _, dab = deconvolve(tile.image, KI67.stains)
    for nucleus in tile.nuclei:
        measured = dab[tile.instances == nucleus.label].mean()
        assert measured > 0.2 if nucleus.positive else measured < 0.1


@pytest.mark.parametrize(("od", "expected"), [(0.1, 0), (0.2, 1), (0.35, 1), (0.45, 2), (0.9, 3)])
def test_intensity_bins(od: float, expected: int) -> None:
    assert intensity_bins(np.array([od]), (0.2, 0.4, 0.6)).tolist() == [expected]


@pytest.mark.parametrize(("percent", "score"), [(0, 0), (0.5, 1), (5, 2), (20, 3), (50, 4), (80, 5)])
def test_allred_proportion(percent: float, score: int) -> None:
    assert allred_proportion(percent) == score


def test_summary_hand_computed() -> None:
    features = {
        "id": np.arange(1, 5),
        "area": np.array([10.0, 20.0, 30.0, 40.0]),
        "touches_border": np.array([False, False, False, True]),
        "positive": np.array([True, False, True, True]),
        "intensity_bin": np.array([1, 0, 3, 2]),
        "dab_od_mean": np.array([0.3, 0.05, 0.7, 0.5]),
        "dab_od_nuclear": np.array([0.3, 0.05, 0.7, 0.5]),
    }
    s = image_summary(features, (100, 100), KI67, pixel_size=1.0)
    assert s["nuclei"] == 4 and s["positive"] == 3 and s["ki67_index"] == 75.0
    assert s["area_index"] == pytest.approx(100 * 80 / 100)
    assert s["h_score"] == pytest.approx(25 + 2 * 25 + 3 * 25)
    assert s["density_per_mm2"] == pytest.approx(4 / 0.01) and s["low_count"]
    assert (s["allred_proportion"], s["allred_intensity"], s["allred_total"]) == (5, 2, 7)
    excluded = image_summary(features, (100, 100), KI67.model_copy(update={"exclude_border": True}), None)
    assert (
        excluded["nuclei"] == 3
        and excluded["excluded_at_border"] == 1
        and excluded["ki67_index"] == pytest.approx(200 / 3)
    )


def write_tiles(folder: Path, count: int) -> list:
    tiles = []
    for seed in range(count):
        rng = np.random.default_rng(100 + seed)
        tile = synthetic_ihc_tile(rng, nuclei=40, positive_fraction=float(rng.uniform(0.1, 0.6)), touching_fraction=0.3)
        write_image(folder / "images" / f"t{seed}.png", tile.image)
        write_mask(folder / "masks" / f"t{seed}_mask.png", tile.mask)
        tiles.append(tile)
    return tiles


def test_ki67_index_and_count_match_the_synthetic_truth(tmp_path: Path) -> None:
    """Issue criterion: Ki-67 index within 2 points and count within 5% of the truth, touching nuclei included."""
    tiles = write_tiles(tmp_path, 12)
    result = quantify_images(
        sorted((tmp_path / "images").iterdir()), masks_from_folder(tmp_path / "masks"), tmp_path / "out", KI67
    )
    counted = sum(q.summary["nuclei"] for q in result.images)
    truth = sum(len(t.nuclei) for t in tiles)
    assert abs(counted - truth) <= 0.05 * truth
    for q, tile in zip(result.images, tiles, strict=True):
        assert abs(q.summary["nuclei"] - len(tile.nuclei)) <= 0.05 * len(tile.nuclei) + 1
    positive = sum(q.summary["positive"] for q in result.images)
    true_positive = sum(n.positive for t in tiles for n in t.nuclei)
    assert abs(100 * positive / counted - 100 * true_positive / truth) <= 2.0
    components = sum(cv2.connectedComponents(t.mask.astype(np.uint8))[0] - 1 for t in tiles)
    assert components < truth - 20  # many nuclei touch: counting components alone would miss them


def test_outputs_and_profile_changes_results(tmp_path: Path) -> None:
    write_tiles(tmp_path, 2)
    write_image(tmp_path / "images" / "orphan.png", np.zeros((8, 8, 3), np.uint8))
    images = sorted((tmp_path / "images").iterdir())
    result = quantify_images(images, masks_from_folder(tmp_path / "masks"), tmp_path / "out", KI67, pixel_size=0.25)
    assert [p.name for p, _ in result.failed] == ["orphan.png"]
    rows = list(csv.DictReader((tmp_path / "out" / "nuclei.csv").open()))
    assert {
        "image",
        "id",
        "area_um2",
        "circularity",
        "dab_od_mean",
        "positive",
        "intensity_bin",
        "max_feret",
        "min_feret",
    } <= set(rows[0])
    report = json.loads((tmp_path / "out" / "images.json").read_text())
    assert report["profile"]["name"] == "ki67" and report["skipped"][0]["image"].endswith("orphan.png")
    assert len(report["images"]) == 2 and "density_per_mm2" in report["images"][0]
    assert (tmp_path / "out" / "qc" / "t0_qc.png").is_file() and (tmp_path / "out" / "histograms.png").is_file()
    strict = KI67.model_copy(update={"positive_threshold": 0.65})
    stricter = quantify_images(images[:2], masks_from_folder(tmp_path / "masks"), tmp_path / "out2", strict)
    assert stricter.images[0].summary["ki67_index"] < result.images[0].summary["ki67_index"]


def test_masks_follow_the_dataset_mask_rule(tmp_path: Path) -> None:
    """An RGB-coloured or 0/1 mask is read as the dataset builder reads it, not rejected."""
    tile = synthetic_ihc_tile(np.random.default_rng(1), height=64, width=64, nuclei=6)
    write_image(tmp_path / "images" / "a.png", tile.image)
    write_image(tmp_path / "images" / "b.png", tile.image)
    coloured = np.zeros((64, 64, 3), np.uint8)
    coloured[tile.mask] = (220, 30, 30)
    write_image(tmp_path / "masks" / "a_mask.png", coloured)
    write_image(tmp_path / "masks" / "b_mask.png", tile.mask.astype(np.uint8))
    result = quantify_images(
        sorted((tmp_path / "images").iterdir()), masks_from_folder(tmp_path / "masks"), tmp_path / "out", KI67
    )
    assert not result.failed
    assert result.images[0].summary["nuclei"] == result.images[1].summary["nuclei"] == len(tile.nuclei)


def test_an_index_that_cannot_be_computed_says_why() -> None:
    empty = {name: np.zeros(0, dtype) for name, dtype in (("id", int), ("area", float), ("touches_border", bool))}
    stained = {**empty, "positive": np.zeros(0, bool), "intensity_bin": np.zeros(0, int), "dab_od_mean": np.zeros(0),
               "dab_od_nuclear": np.zeros(0)}  # fmt: skip
    none_found = image_summary(stained, (10, 10), KI67, None)
    assert math.isnan(none_found["ki67_index"]) and none_found["index_note"] == "index not measured: no nuclei found"
    grey = image_summary(
        {**empty, "id": np.arange(1, 3), "area": np.ones(2), "touches_border": np.zeros(2, bool)}, (10, 10), KI67, None
    )
    assert "ki67_index" not in grey and grey["index_note"].startswith("grayscale image: no DAB stain")
    counted = image_summary(
        {
            **stained,
            "id": np.arange(1, 2),
            "area": np.ones(1),
            "touches_border": np.zeros(1, bool),
            "positive": np.ones(1, bool),
            "intensity_bin": np.ones(1, int),
            "dab_od_mean": np.ones(1),
            "dab_od_nuclear": np.ones(1),
        },
        (10, 10),
        KI67,
        None,
    )
    assert "index_note" not in counted


def test_qc_overlay_has_a_legend_and_ids_beside_the_nuclei() -> None:
    from unetops.quantify.run import NEGATIVE_COLOUR, POSITIVE_COLOUR, qc_overlay
    from unetops.visualize import LEGEND_HEIGHT

    tile = synthetic_ihc_tile(np.random.default_rng(3), height=128, width=128, nuclei=6, touching_fraction=0.0)
    labels = nucleus_instances(tile.mask, KI67)
    features = nucleus_features(labels, tile.image, KI67, None)
    with_ids = qc_overlay(tile.image, labels, features)
    without = qc_overlay(tile.image, labels, features, ids=False)
    assert with_ids.shape[1:] == (128, 3) and (with_ids.shape[0] - 128) % LEGEND_HEIGHT == 0
    legend = with_ids[128:].reshape(-1, 3)
    assert (legend == POSITIVE_COLOUR).all(axis=1).any() and (legend == NEGATIVE_COLOUR).all(axis=1).any()
    text = (with_ids[:128] != without[:128]).any(axis=2)
    assert text.any() and not (text & (labels > 0)).any()  # every id is written off the nuclei


def test_histograms_mark_the_threshold_and_cut_offs(tmp_path: Path) -> None:
    from unetops.quantify.run import histogram_panels

    write_tiles(tmp_path, 1)
    result = quantify_images(
        sorted((tmp_path / "images").iterdir()), masks_from_folder(tmp_path / "masks"), tmp_path / "out", KI67
    )
    assert (tmp_path / "out" / "histograms.png").is_file()
    panels = histogram_panels([result.images[0].features], KI67, 0.5)
    assert (panels["nucleus area"].x_label, panels["nucleus area"].y_label) == ("area (um^2)", "nuclei")
    dab = panels["DAB per nucleus"]
    assert dab.x_label == "nuclear DAB OD (core above surroundings)" and dab.y_label == "nuclei"
    assert [m.value for m in dab.marks] == [KI67.positive_threshold, *KI67.intensity_cutoffs]
    assert [m.label.split()[0] for m in dab.marks] == ["positive", "1+", "2+", "3+"]


def test_essential_features_are_the_detailed_ones_for_the_columns_they_keep() -> None:
    tile = synthetic_ihc_tile(np.random.default_rng(5), height=96, width=96, nuclei=12)
    labels = nucleus_instances(tile.mask, KI67)
    full = nucleus_features(labels, tile.image, KI67, 0.5)
    essential = nucleus_features(labels, tile.image, KI67, 0.5, detailed=False)
    assert set(essential) < set(full) and {"area_um2", "dab_od_mean", "positive", "solidity"} <= set(essential)
    for key, values in essential.items():
        np.testing.assert_array_equal(values, full[key])
