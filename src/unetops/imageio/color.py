"""Colour-model conversion of uint8 images."""

from __future__ import annotations

import cv2
import numpy as np

from unetops.imageio.types import ColorModel


def to_color_model(image: np.ndarray, model: ColorModel) -> np.ndarray:
    """RGB (H, W, 3) for rgb; luminance (ITU-R 601) (H, W) for grayscale and binary."""
    if model is ColorModel.rgb:
        return image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def binarise_otsu(gray: np.ndarray) -> np.ndarray:
    """A grayscale image as 0/255 by Otsu's threshold."""
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return binary


def is_grayscale(image: np.ndarray) -> bool:
    """One channel, or three equal ones (a grey image saved as RGB)."""
    if image.ndim == 2 or image.shape[2] == 1:
        return True
    return bool(np.array_equal(image[..., 0], image[..., 1]) and np.array_equal(image[..., 1], image[..., 2]))
