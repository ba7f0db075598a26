"""Tissue detection on a slide's thumbnail: stained pixels (saturation by Otsu, found without ink, with a floor),
holes filled, small pieces removed. Pen marks are not told from tissue yet."""

from __future__ import annotations

import cv2
import numpy as np
from scipy import ndimage

MIN_SATURATION = 20  # out of 255: below this, glass, whatever Otsu says (a slide with little tissue)
MAX_STAIN_SATURATION = 100  # out of 255: stained tissue stays below; ink (a pen mark) lies above
MIN_TISSUE_UM2 = 20_000.0  # pieces smaller than this (0.02 mm2: dust, debris) are not tissue


def tissue_mask(thumbnail: np.ndarray, um_per_pixel: float, min_area_um2: float = MIN_TISSUE_UM2) -> np.ndarray:
    """Boolean tissue mask of an RGB thumbnail whose pixels are `um_per_pixel` wide."""
    saturation = cv2.cvtColor(thumbnail, cv2.COLOR_RGB2HSV)[..., 1]
    # Otsu parts two classes; a pen mark's ink is a third, far above tissue, that would take tissue for glass:
    # the threshold is found without it
    stain_range = saturation[saturation <= MAX_STAIN_SATURATION]
    otsu = (
        cv2.threshold(stain_range.reshape(1, -1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[0]
        if stain_range.size
        else 0
    )
    stained = saturation > max(otsu, MIN_SATURATION)
    closed = cv2.morphologyEx(stained.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)) > 0
    filled = ndimage.binary_fill_holes(closed)
    min_pixels = max(1, round(min_area_um2 / um_per_pixel**2))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(filled.astype(np.uint8), connectivity=8)
    large = stats[:, cv2.CC_STAT_AREA] >= min_pixels
    large[0] = False  # background
    return large[labels]
