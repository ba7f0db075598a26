"""Colour deconvolution (Ruifrok & Johnston 2001): per-pixel stain optical densities of an RGB image."""

from __future__ import annotations

import numpy as np

from unetops.quantify.config import StainVectors


def optical_density(image: np.ndarray) -> np.ndarray:
    """OD = -log10((I + 1) / 256) per channel of a uint8 image, as float32 (H, W, 3)."""
    return -np.log10((image.astype(np.float32) + 1.0) / 256.0)


def deconvolve(image: np.ndarray, stains: StainVectors) -> tuple[np.ndarray, np.ndarray]:
    """Hematoxylin and DAB optical densities (H, W) each, float32, of a uint8 RGB image."""
    inverse = np.linalg.inv(stains.matrix()).astype(np.float32)
    concentrations = optical_density(image).reshape(-1, 3) @ inverse
    concentrations = np.clip(concentrations, 0, None).reshape(*image.shape[:2], 3)
    return concentrations[..., 0], concentrations[..., 1]
