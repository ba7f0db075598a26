"""HER2 membrane scoring: rings found wherever the membrane lies, cytoplasm and nuclear DAB not taken for
membrane, the ASCO/CAP cell and image scores, and the summary a membrane profile gives."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage
from skimage.draw import disk
from skimage.segmentation import find_boundaries

from unetops.preprocess.deconvolution import deconvolve
from unetops.quantify.config import load_profile
from unetops.quantify.features import nucleus_features
from unetops.quantify.membrane import her2_score, membrane_stains
from unetops.quantify.summary import image_summary
from unetops.sample.tissue import StainDraw, tissue_tile

HER2 = load_profile("her2")
MPP = 0.5
SPACING = 30  # px between cell centres: 15 um cells


def cell_sheet(
    ring_od: float, *, cytoplasm_od: float = 0.0, broken: float = 0.0, nuclear_od: float = 0.0, apart: bool = False
):
    """A sheet of 6 x 6 cells 15 um apart (Voronoi cells of a jittered grid, or with `apart` round cells 13 um
    across with stroma between them) with 7 um nuclei, membranes 2 um wide of DAB `ring_od` (a `broken` fraction
    of each ring's angle left out) over cytoplasm of `cytoplasm_od`, rendered with the profile's stain vectors;
    returns the RGB image and the nucleus labels."""
    rng = np.random.default_rng(7)
    size = 6 * SPACING
    centres = (np.mgrid[0:6, 0:6].reshape(2, -1).T + 0.5) * SPACING + rng.uniform(-3, 3, (36, 2))
    seeds = np.zeros((size, size), np.int32)
    seeds[centres[:, 0].astype(int), centres[:, 1].astype(int)] = np.arange(1, 37)
    distance, (r, c) = ndimage.distance_transform_edt(seeds == 0, return_indices=True)
    cells = np.where(distance <= 6.5 / MPP, seeds[r, c], 0) if apart else seeds[r, c]
    membrane = ndimage.binary_dilation(find_boundaries(cells, mode="inner")) & (cells > 0)
    yy, xx = np.mgrid[:size, :size]
    angle = np.arctan2(yy - centres[cells - 1, 0], xx - centres[cells - 1, 1])
    membrane &= (angle + np.pi) / (2 * np.pi) >= broken  # the ring's gap: the first `broken` of its angle
    labels = np.zeros((size, size), np.int32)
    for label, (cy, cx) in enumerate(centres, start=1):
        labels[disk((cy, cx), 3.5 / MPP, shape=labels.shape)] = label
    hematoxylin = np.where(labels > 0, 0.6, 0.08)
    dab = np.where(membrane, cytoplasm_od + ring_od, np.where(cells > 0, cytoplasm_od, 0.0))
    dab = np.where(labels > 0, nuclear_od, dab)
    matrix = HER2.stains.matrix()
    od = (
        ndimage.gaussian_filter(hematoxylin, 1)[..., None] * matrix[0]
        + ndimage.gaussian_filter(dab, 1)[..., None] * matrix[1]
    )
    image = np.clip(256 * np.power(10.0, -od) - 1, 0, 255).astype(np.uint8)
    return image, labels


def scores(image: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return membrane_stains(labels, deconvolve(image, HER2.stains)[1], HER2, MPP)["membrane_score"]


@pytest.mark.parametrize("apart", [False, True], ids=["sheet", "apart"])
@pytest.mark.parametrize(
    ("ring_od", "broken", "expected"),
    [(0.8, 0.0, 3), (0.25, 0.0, 2), (0.0, 0.0, 0)],
    ids=["complete intense 3+", "complete moderate 2+", "none 0"],
)
def test_cell_scores_follow_the_ring(ring_od: float, broken: float, expected: int, apart: bool) -> None:
    found = scores(*cell_sheet(ring_od, broken=broken, apart=apart))
    assert np.mean(found == expected) >= 0.85, np.bincount(found, minlength=4)


@pytest.mark.parametrize(
    ("ring_od", "expected"), [(0.8, 2), (0.3, 1)], ids=["intense incomplete 2+", "faint incomplete 1+"]
)
def test_incomplete_rings(ring_od: float, expected: int) -> None:
    """Cells apart, so that a neighbour's membrane does not close the gap (in a sheet the membrane between two
    cells is one and the same)."""
    found = scores(*cell_sheet(ring_od, broken=0.6, apart=True))
    assert np.mean(found == expected) >= 0.85, np.bincount(found, minlength=4)


@pytest.mark.parametrize("cytoplasm_od", [0.3, 0.6])
def test_brown_cytoplasm_and_nuclei_are_not_membrane(cytoplasm_od: float) -> None:
    """Evenly brown cytoplasm, or Ki-67-like brown nuclei, give no membrane score; a ring on top of brown
    cytoplasm is still found."""
    assert np.mean(scores(*cell_sheet(0.0, cytoplasm_od=cytoplasm_od)) == 0) >= 0.9
    assert np.mean(scores(*cell_sheet(0.0, nuclear_od=0.8)) == 0) >= 0.9
    assert np.mean(scores(*cell_sheet(0.8, cytoplasm_od=cytoplasm_od)) == 3) >= 0.9


def test_brown_cytoplasm_varying_between_cells_is_not_membrane() -> None:
    """A cell browner than its neighbour makes a step at their shared edge, not a ridge."""
    image, labels = cell_sheet(0.0)
    cells = ndimage.distance_transform_edt(labels == 0, return_indices=True)[1]
    owner = labels[cells[0], cells[1]]
    level = np.random.default_rng(3).uniform(0.0, 0.5, 37)[owner]
    od = deconvolve(image, HER2.stains)[1] + ndimage.gaussian_filter(np.where(labels == 0, level, 0), 1)
    found = membrane_stains(labels, od, HER2, MPP)["membrane_score"]
    assert np.mean(found == 0) >= 0.85, np.bincount(found, minlength=4)


def test_image_score_by_asco_cap() -> None:
    assert her2_score(np.array([3] * 11 + [0] * 89))["her2_score"] == "3+"  # more than 10% 3+
    assert her2_score(np.array([3] * 9 + [2] * 5 + [0] * 86))["her2_score"] == "2+"  # 14% at 2+ or more
    assert her2_score(np.array([2] * 10 + [1] * 5 + [0] * 85))["her2_score"] == "1+"  # 10% is not more than 10%
    assert her2_score(np.array([1] * 10 + [0] * 90))["her2_score"] == "0"
    assert her2_score(np.array([], int))["her2_score"] == "0"
    result = her2_score(np.array([0, 1, 2, 3]))
    assert result["membrane_percent_2plus"] == 25 and result["h_score"] == 150


def test_generated_her2_tiles_agree_with_truth() -> None:
    """On generated HER2 tissue (membranes in patches of one score, brown cytoplasm, other stain draws), the
    cells' scores are right far above chance (a quarter) and nearly all within one step (the benchmark's test set:
    0.46 and 0.88 since the cytoplasm is granular; 0.60 and 0.96 before)."""
    truth, found = [], []
    for seed in range(4):
        tile = tissue_tile(
            np.random.default_rng(40_000 + seed), marker="her2", stain=StainDraw.draw(np.random.default_rng(seed))
        )
        tumour = np.array([n.cell_class == "tumour" for n in tile.nuclei])
        truth += [n.membrane_score for n in tile.nuclei if n.cell_class == "tumour"]
        found += list(scores(tile.image, tile.instances)[tumour])
    truth, found = np.asarray(truth), np.asarray(found)
    assert truth.size > 50
    assert np.mean(truth == found) >= 0.4
    assert np.mean(np.abs(truth - found) <= 1) >= 0.85


def test_membrane_profile_summary() -> None:
    """A HER2 summary gives the membrane distribution and score, no nuclear index; a refusal withholds it."""
    image, labels = cell_sheet(0.8)
    features = nucleus_features(labels, image, HER2, MPP)
    summary = image_summary(features, labels.shape, HER2, MPP)
    assert summary["her2_score"] == "3+" and summary["membrane_percent_3plus"] >= 90
    assert "ki67_index" not in summary and "allred_total" not in summary
    assert summary["positivity"].startswith("membrane") and summary["index_status"] == "measured"
    refused = image_summary(features, labels.shape, HER2, MPP, refusals=["drift far above the limit"])
    assert refused["her2_score"] == "not measured" and "HER2 score not measured" in refused["index_note"]
