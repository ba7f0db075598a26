from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from unetops.sample.artefacts import INKS, SlideArtefacts
from unetops.sample.slide import SyntheticSlide
from unetops.slide.readers import open_slide
from unetops.slide.tissue import ink_mask, tissue_mask


def test_tissue_is_found_and_glass_is_not(svs_slide: SyntheticSlide) -> None:
    with open_slide(svs_slide.path) as reader:
        thumbnail, scale = reader.thumbnail(8)
    found = tissue_mask(thumbnail, scale * svs_slide.mpp)
    expected_fraction = svs_slide.tissue_tiles / ((4096 // 256) * (3072 // 256))  # tissue tiles of the 256 px grid
    assert abs(found.mean() - expected_fraction) < 0.05
    blank = np.full((200, 200, 3), 245, np.uint8)
    assert not tissue_mask(blank, 8.0).any()
    speck = blank.copy()
    speck[100:103, 100:103] = (120, 60, 150)  # 24 um wide: dust, below the minimum area
    assert not tissue_mask(speck, 8.0).any()


@pytest.mark.parametrize(("ink", "found_at_least"), [("green", 0.95), ("black", 0.95), ("blue", 0.8)])
def test_a_pen_mark_on_real_tissue_is_found_and_the_tissue_is_not(ink: str, found_at_least: float) -> None:
    """Real IHC (scikit-image's colon section, as a thumbnail at 4 um/px) with a pen stroke of each ink laid on it
    (blue ink over a brown gland is as dark and as blue as hematoxylin: part of it is missed there)."""
    tissue = cv2.resize(data.immunohistochemistry(), (256, 256), interpolation=cv2.INTER_AREA)
    assert not ink_mask(tissue, 4.0).any()
    stroke = SlideArtefacts(
        np.zeros((1, 2), np.int32), 1, (-100, -100, 1), np.array([[20, 40], [230, 200]], np.int32), 10, INKS[ink]
    )
    marked, _ = stroke.apply(tissue, 0, 0)
    pen = stroke.masks(0, 0, tissue.shape[:2])["pen"]
    found = ink_mask(marked, 4.0)
    assert found[pen].mean() > found_at_least
    beyond = ~cv2.dilate(pen.astype(np.uint8), np.ones((13, 13), np.uint8)).astype(bool)  # past the margin
    assert found[beyond].mean() < 0.01


def test_no_pen_mark_on_a_real_he_slide(real_svs) -> None:
    with open_slide(real_svs) as reader:
        thumbnail, scale = reader.thumbnail(8)
        assert not ink_mask(thumbnail, scale * reader.info.mpp).any()
