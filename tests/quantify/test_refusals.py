"""Coverage of the hematoxylin-rich area by the objects found, on generated tissue with exact truth."""

from __future__ import annotations

import numpy as np
import pytest

from unetops.preprocess.deconvolution import deconvolve
from unetops.quantify.config import QuantifyConfig
from unetops.quantify.refusals import coverage_refusals, hematoxylin_coverage, image_refusals
from unetops.sample.tissue import tissue_tile

CONFIG = QuantifyConfig()


@pytest.fixture(scope="module")
def tile():
    return tissue_tile(np.random.default_rng(3), mpp=0.5)


def test_the_true_nuclei_take_in_the_hematoxylin(tile) -> None:
    hematoxylin = deconvolve(tile.image, CONFIG.stains)[0]
    assert hematoxylin_coverage(tile.instances, hematoxylin, 2) > 0.95
    assert image_refusals(tile.image, tile.instances, CONFIG, 0.5) == []


def test_half_the_nuclei_found_is_refused(tile) -> None:
    ids = np.array([n.label for n in tile.nuclei])
    kept = np.where(np.isin(tile.instances, ids[::3]), tile.instances, 0)  # a third of them
    hematoxylin = deconvolve(tile.image, CONFIG.stains)[0]
    assert 0.15 < hematoxylin_coverage(kept, hematoxylin, 2) < 0.5
    (reason,) = coverage_refusals(tile.image, kept, CONFIG, 0.5)
    assert "most nuclei were missed" in reason


def test_glass_is_not_judged() -> None:
    glass = np.full((64, 64, 3), 245, np.uint8)
    assert hematoxylin_coverage(np.zeros((64, 64), np.int32), deconvolve(glass, CONFIG.stains)[0], 2) is None
    labels = np.zeros((64, 64), np.int32)
    labels[10:20, 10:20] = 1
    assert coverage_refusals(glass, labels, CONFIG, 0.5) == []
