"""Positivity from the nuclear compartment, nucleus-likeness, and the index refused on bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from unetops.quantify.config import QuantifyConfig
from unetops.quantify.features import compartment_stains, nuclear_core, nucleus_features
from unetops.quantify.run import measure_image, qc_overlay
from unetops.sample.synthetic_ihc import STAIN_OD
from unetops.sample.tissue import tissue_tile


def render(concentrations: np.ndarray) -> np.ndarray:
    """Beer-Lambert RGB of (H, W, 3) hematoxylin, eosin, DAB concentrations."""
    return np.clip(255 * np.power(10.0, -concentrations @ STAIN_OD), 0, 255).astype(np.uint8)


def test_nuclear_core_leaves_out_the_rim_and_keeps_small_nuclei_whole() -> None:
    labels = np.zeros((30, 30), np.int32)
    labels[5:15, 5:15] = 1
    labels[5:15, 15:25] = 2  # touching the first: the shared edge is rim of both
    labels[20, 20] = 3  # too small for a core
    core = nuclear_core(labels, 2)
    assert (core == 1).sum() == 6 * 6 and (core == 2).sum() == 6 * 6
    assert (core == 3).sum() == 1


def test_a_negative_nucleus_in_brown_cytoplasm_is_negative() -> None:
    """Brown cytoplasm around and over a blue nucleus: the whole-nucleus mean is above the threshold, the
    nuclear DAB is not; a brown nucleus in the same cytoplasm is positive."""
    yy, xx = np.mgrid[:64, :64]
    conc = np.zeros((64, 64, 3))
    conc[..., 2] = 0.45  # cytoplasmic DAB everywhere
    labels = np.zeros((64, 64), np.int32)
    for label, (cx, dab) in enumerate(((18, 0.0), (46, 0.5)), start=1):
        disk = (yy - 32) ** 2 + (xx - cx) ** 2 <= 49
        labels[disk] = label
        conc[disk, 0] = 0.6
        conc[disk, 2] = 0.3 + dab  # the overlying cytoplasm, plus the nucleus's own DAB
    image = render(conc)
    config = QuantifyConfig()
    stains = compartment_stains(labels, image, config, 0.5)
    assert stains["dab_od_mean"][0] > config.positive_threshold  # the old rule called it positive
    assert stains["dab_od_nuclear"][0] < config.positive_threshold < stains["dab_od_nuclear"][1]
    assert (stains["hematoxylin_contrast"] > config.min_hematoxylin_contrast).all()


def test_a_thin_bluish_membrane_is_not_nucleus_like_and_a_thin_stroma_nucleus_is() -> None:
    """A brown membrane 1 um wide with some hematoxylin passes the contrast check but is too thin to be a
    nucleus; a stroma nucleus 2.5 um wide passes both."""
    conc = np.zeros((64, 64, 3))
    conc[..., 0] = 0.05
    labels = np.zeros((64, 64), np.int32)
    labels[10:40, 10:12] = 1  # 2 px at 0.5 um/px: a membrane between two cells
    conc[10:40, 10:12] = (0.25, 0.0, 0.6)
    yy, xx = np.mgrid[:64, :64]
    stroma = ((yy - 30) / 10) ** 2 + ((xx - 45) / 2.6) ** 2 <= 1  # 5 px (2.5 um) wide, 20 px long
    labels[stroma] = 2
    conc[stroma] = (0.5, 0.0, 0.0)
    features = nucleus_features(labels, render(conc), QuantifyConfig(), 0.5)
    assert (features["hematoxylin_contrast"] > QuantifyConfig().min_hematoxylin_contrast).all()
    assert features["nucleus_like"].tolist() == [False, True]
    assert nucleus_features(labels, render(conc), QuantifyConfig(min_nucleus_width_um=0), 0.5)["nucleus_like"].all()


def test_positivity_on_generated_tissue_with_true_outlines() -> None:
    """Held-out tissue tiles (seeds not used elsewhere), every nucleus's call against its truth."""
    config, calls, truth = QuantifyConfig(), [], []
    for seed in range(300, 315):
        rng = np.random.default_rng(seed)
        tile = tissue_tile(rng, marker="ki67", positive_fraction=float(rng.uniform(0.1, 0.8)))
        calls += list(compartment_stains(tile.instances, tile.image, config, 0.5)["dab_od_nuclear"])
        truth += [n.positive for n in tile.nuclei]
    positive, truth = np.asarray(calls) > config.positive_threshold, np.asarray(truth)
    assert (positive == truth).mean() > 0.95


@pytest.mark.parametrize("kind", ["noise", "white", "brown"])
def test_bad_input_gets_no_index(kind: str) -> None:
    rng = np.random.default_rng(0)
    if kind == "noise":
        image = rng.integers(0, 256, (128, 128, 3), dtype=np.uint8)
        mask = image[..., 0] > 128
    elif kind == "white":
        image, mask = np.full((128, 128, 3), 250, np.uint8), np.zeros((128, 128), bool)
    else:  # only cytoplasmic staining, outlined as if it were nuclei
        conc = np.zeros((128, 128, 3))
        conc[..., 2] = 0.4 + 0.1 * rng.random((128, 128))
        image, mask = render(conc), np.zeros((128, 128), bool)
        for cy, cx in ((30, 30), (30, 90), (90, 30), (90, 90)):
            mask[cy - 6 : cy + 6, cx - 6 : cx + 6] = True
    labels, features, summary = measure_image(image, mask, QuantifyConfig(), 0.5)
    assert summary["index_status"] == "not measured" and math.isnan(summary["ki67_index"])
    assert math.isnan(summary["h_score"]) and summary["index_note"].startswith("index not measured")
    qc = qc_overlay(image, labels, features, note=summary["index_note"])
    assert tuple(qc[2, 2]) == (190, 20, 20)  # the banner says it on the QC image


def test_a_refusing_source_gives_no_index() -> None:
    from unetops.quantify.instances import Nuclei

    tile = tissue_tile(np.random.default_rng(7))
    refused = Nuclei(tile.mask, refusals=["the image is far outside what the model was trained on"])
    _, _, summary = measure_image(tile.image, refused, QuantifyConfig(), 0.5)
    assert summary["index_status"] == "not measured" and "far outside" in summary["index_note"]
    _, _, accepted = measure_image(tile.image, Nuclei(tile.mask), QuantifyConfig(), 0.5)
    assert accepted["index_status"] == "measured" and accepted["positivity"].startswith("nuclear DAB")


def test_objects_unlike_nuclei_never_count() -> None:
    """A brown sliver along a membrane that passed the model is left out of the index, not counted positive."""
    from unetops.quantify.summary import image_summary

    features = {
        "id": np.arange(1, 6),
        "area": np.full(5, 40.0),
        "touches_border": np.zeros(5, bool),
        "positive": np.array([True, False, False, False, True]),
        "intensity_bin": np.array([2, 0, 0, 0, 3]),
        "dab_od_mean": np.array([0.5, 0.1, 0.1, 0.1, 0.8]),
        "dab_od_nuclear": np.array([0.5, 0.0, 0.0, 0.0, 0.6]),
        "nucleus_like": np.array([True, True, True, True, False]),
    }
    summary = image_summary(features, (100, 100), QuantifyConfig(), 0.5)
    assert summary["positive"] == 1 and summary["negative"] == 3 and summary["not_nucleus_like"] == 1
    assert summary["ki67_index"] == pytest.approx(25.0) and summary["nucleus_like_fraction"] == pytest.approx(0.8)
