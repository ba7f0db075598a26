from __future__ import annotations

import numpy as np

from unetops.imageio.color import binarise_otsu, to_color_model
from unetops.imageio.types import ColorModel


def test_grayscale_is_luminance() -> None:
    rgb = np.zeros((1, 3, 3), np.uint8)
    rgb[0, 0], rgb[0, 1], rgb[0, 2] = (255, 0, 0), (0, 255, 0), (0, 0, 255)
    assert to_color_model(rgb, ColorModel.grayscale).tolist() == [[76, 150, 29]]
    assert to_color_model(np.zeros((2, 2), np.uint8), ColorModel.rgb).shape == (2, 2, 3)


def test_otsu_binary() -> None:
    gray = np.array([[10, 12, 200, 210]], np.uint8)
    assert binarise_otsu(gray).tolist() == [[0, 0, 255, 255]]
