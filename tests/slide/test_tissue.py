from __future__ import annotations

import numpy as np

from unetops.sample.slide import SyntheticSlide
from unetops.slide.readers import open_slide
from unetops.slide.tissue import tissue_mask


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
