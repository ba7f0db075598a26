"""Regression on real IHC: scikit-image's colon section (`data.immunohistochemistry()`), whose nuclei are blue
(hematoxylin) and whose brown DAB lies in cytoplasm and membranes, with regions drawn by hand on it (`helpers`)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage
from skimage import data
from skimage.filters import threshold_otsu

from helpers import BROWN_GLANDS, STROMA, in_region
from unetops.preprocess.deconvolution import StainVectors, deconvolve
from unetops.quantify.config import QuantifyConfig
from unetops.quantify.run import measure_image


@pytest.fixture(scope="module")
def ihc() -> np.ndarray:
    return data.immunohistochemistry()


def stain_mask(image: np.ndarray, stain: int) -> np.ndarray:
    """Otsu on one stain's optical density (0 hematoxylin, 1 DAB): nuclei, or what a model that learned
    'brown blob' would outline."""
    od = deconvolve(image, StainVectors())[stain]
    return od > threshold_otsu(od)


def test_blue_nuclei_in_brown_cytoplasm_are_negative(ihc: np.ndarray) -> None:
    """Read from the nuclear compartment, the gland nuclei are negative although brown surrounds and overlies
    them; read as the whole nucleus's mean DAB (the old rule) most of them are 'positive'."""
    _, features, summary = measure_image(ihc, stain_mask(ihc, 0), QuantifyConfig(), 0.5)
    assert summary["index_status"] == "measured" and summary["ki67_index"] < 10
    for name, box in {**BROWN_GLANDS, **STROMA}.items():
        inside = in_region(features, box)
        assert inside.sum() >= 5, name
        assert features["positive"][inside].mean() < 0.25, name  # upper left gland: 5 of 25 (strong membranes)
    whole = features["dab_od_mean"] > QuantifyConfig().positive_threshold
    glands = np.any([in_region(features, box) for box in BROWN_GLANDS.values()], axis=0)
    assert whole[glands].mean() > 0.5  # what the nuclear compartment corrects


def test_brown_cytoplasm_taken_for_nuclei_gives_no_index(ihc: np.ndarray) -> None:
    """Objects outlined on the DAB are not nucleus-like: the index is not measured, and says why."""
    brown = stain_mask(ihc, 1) & ~stain_mask(ihc, 0)
    _, _, summary = measure_image(ihc, brown, QuantifyConfig(), 0.5)
    assert summary["nuclei"] > 100 and summary["nucleus_like_fraction"] < 0.3
    assert summary["index_status"] == "not measured" and np.isnan(summary["ki67_index"])
    assert "look like nuclei" in summary["index_note"]


def test_the_nuclei_are_nucleus_like(ihc: np.ndarray) -> None:
    _, _, summary = measure_image(ihc, stain_mask(ihc, 0), QuantifyConfig(), 0.5)
    assert summary["nucleus_like_fraction"] > 0.9


def test_a_few_nuclei_found_of_many_give_no_index(ihc: np.ndarray) -> None:
    """A model that finds a quarter of the nuclei (every fourth hematoxylin object here) gives a biased few: the
    index is not measured, for the hematoxylin left out; all of them are measured (the first test)."""
    objects, count = ndimage.label(stain_mask(ihc, 0))
    few = np.isin(objects, np.arange(1, count + 1, 4))
    _, _, summary = measure_image(ihc, few, QuantifyConfig(), 0.5)
    assert summary["nucleus_like_fraction"] > 0.8  # most found are nuclei: the refusal is for coverage alone
    assert summary["index_status"] == "not measured" and "hematoxylin-rich area" in summary["index_note"]
