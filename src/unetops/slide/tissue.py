"""Tissue detection on a slide's thumbnail: stained pixels (saturation by Otsu, found without ink, with a floor),
holes filled, small pieces removed; and pen marks (`ink_mask`), which are left out of the analysis."""

from __future__ import annotations

import cv2
import numpy as np
from scipy import ndimage

MIN_SATURATION = 20  # out of 255: below this, glass, whatever Otsu says (a slide with little tissue)
MAX_STAIN_SATURATION = 100  # out of 255: stained tissue stays below; ink (a pen mark) lies above
MIN_TISSUE_UM2 = 20_000.0  # pieces smaller than this (0.02 mm2: dust, debris) are not tissue
# Ink is told from stain by its hue and chroma (max - min of R, G, B). Hematoxylin, DAB, eosin and their mixtures
# have hues from 200 through 360 to 60 degrees (mixtures of hematoxylin and DAB pass through magenta, never green);
# green ink lies between (60-200). Blue ink shares hematoxylin's hues but is purer: by Beer-Lambert hematoxylin
# stays below a chroma of about 80 (real IHC and H&E: under 70) at any strength, ink over glass reaches 160 and
# over tissue about 115. Black ink is darker than stained tissue at a thumbnail's resolution.
GREEN_INK_HUES, MIN_GREEN_INK_CHROMA = (60.0, 200.0), 40  # below that chroma, hue is noise
BLUE_INK_HUES, MIN_BLUE_INK_CHROMA = (200.0, 240.0), 90
MAX_BLACK_INK = 50  # out of 255: the brightest channel of black ink
INK_MARGIN_UM = 20.0  # left out around a pen mark too (its edge blends into the tissue)
MIN_INK_UM2 = 2_000.0  # smaller specks of ink-like colour are not a pen mark


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
    return _large_pieces(ndimage.binary_fill_holes(closed), min_area_um2, um_per_pixel)


def _large_pieces(mask: np.ndarray, min_area_um2: float, um_per_pixel: float) -> np.ndarray:
    """The mask's 8-connected pieces of at least `min_area_um2`."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    large = stats[:, cv2.CC_STAT_AREA] >= max(1, round(min_area_um2 / um_per_pixel**2))
    large[0] = False  # background
    return large[labels]


def ink_mask(thumbnail: np.ndarray, um_per_pixel: float) -> np.ndarray:
    """Boolean mask of pen marks (green, blue or black ink) on an RGB thumbnail, with a margin around them;
    red ink is not told from eosin."""
    rgb = thumbnail.astype(np.int16)
    chroma = rgb.max(axis=-1) - rgb.min(axis=-1)
    hue = 2.0 * cv2.cvtColor(thumbnail, cv2.COLOR_RGB2HSV)[..., 0]  # OpenCV's hue is in half degrees
    green = (hue >= GREEN_INK_HUES[0]) & (hue < GREEN_INK_HUES[1]) & (chroma >= MIN_GREEN_INK_CHROMA)
    blue = (hue >= BLUE_INK_HUES[0]) & (hue <= BLUE_INK_HUES[1]) & (chroma >= MIN_BLUE_INK_CHROMA)
    ink = (green | blue | (rgb.max(axis=-1) <= MAX_BLACK_INK)).astype(np.uint8)
    close = max(1, round(INK_MARGIN_UM / 2 / um_per_pixel))  # a stroke's paler spots (over dark tissue) join it
    ink = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (close * 2 + 1,) * 2))
    marks = _large_pieces(ink, MIN_INK_UM2, um_per_pixel)
    margin = max(1, round(INK_MARGIN_UM / um_per_pixel))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1, 2 * margin + 1))
    return cv2.dilate(marks.astype(np.uint8), kernel) > 0
