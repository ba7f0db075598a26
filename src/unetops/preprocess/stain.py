"""Stain normalisation: Reinhard (LAB statistics) and Macenko (stain vectors by SVD), fitted on a reference.

Both work on uint8 RGB arrays of shape (H, W, 3). Fitting returns plain numbers, so a fitted normaliser
is stored in a spec or a model's metadata and applied identically everywhere.
"""

from __future__ import annotations

import cv2
import numpy as np

LIGHT_INTENSITY = 255.0
BACKGROUND_OD = 0.15  # optical density below which a pixel is background (Macenko's beta)
ANGLE_PERCENTILE = 1.0  # Macenko's alpha


def lab_statistics(image: np.ndarray) -> tuple[list[float], list[float]]:
    """Per-channel mean and standard deviation of an RGB image in OpenCV's float LAB space."""
    lab = cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB).reshape(-1, 3)
    return lab.mean(axis=0).tolist(), lab.std(axis=0).tolist()


def reinhard(image: np.ndarray, target_mean: list[float], target_std: list[float]) -> np.ndarray:
    """Match the image's LAB mean and standard deviation to the target's (Reinhard et al. 2001)."""
    lab = cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    mean, std = lab.reshape(-1, 3).mean(axis=0), lab.reshape(-1, 3).std(axis=0)
    lab = (lab - mean) / np.maximum(std, 1e-6) * np.asarray(target_std) + np.asarray(target_mean)
    rgb = cv2.cvtColor(lab.astype(np.float32), cv2.COLOR_LAB2RGB)
    return np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _optical_density(image: np.ndarray) -> np.ndarray:
    return -np.log((image.reshape(-1, 3).astype(np.float64) + 1.0) / LIGHT_INTENSITY)


def macenko_stains(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hematoxylin and second-stain OD vectors (2, 3) and their 99th-percentile concentrations (2,).

    Macenko et al. 2009: project tissue optical densities onto the plane of their two main singular
    vectors and take the extreme angles as the stain directions.
    """
    od = _optical_density(image)
    tissue = od[(od > BACKGROUND_OD).all(axis=1)]
    if len(tissue) < 10:
        raise ValueError("too little stained tissue to estimate stain vectors (is the image blank?)")
    _, eigenvectors = np.linalg.eigh(np.cov(tissue.T))
    plane = eigenvectors[:, [1, 2]]
    plane *= np.sign(plane.sum(axis=0, keepdims=True) + 1e-12)
    angles = np.arctan2(tissue @ plane[:, 0], tissue @ plane[:, 1])
    low, high = np.percentile(angles, [ANGLE_PERCENTILE, 100 - ANGLE_PERCENTILE])
    first = plane @ np.array([np.sin(low), np.cos(low)])
    second = plane @ np.array([np.sin(high), np.cos(high)])
    stains = np.array([first, second]) if first[0] > second[0] else np.array([second, first])
    stains /= np.linalg.norm(stains, axis=1, keepdims=True)
    concentrations = np.linalg.lstsq(stains.T, od.T, rcond=None)[0]
    return stains, np.percentile(concentrations, 99, axis=1)


def macenko(image: np.ndarray, target_stains: list[list[float]], target_max: list[float]) -> np.ndarray:
    """Re-render the image with the target's stain vectors and concentration range."""
    stains, maximum = macenko_stains(image)
    concentrations = np.linalg.lstsq(stains.T, _optical_density(image).T, rcond=None)[0]
    concentrations *= (np.asarray(target_max) / np.maximum(maximum, 1e-6))[:, None]
    od = (np.asarray(target_stains).T @ concentrations).T
    rgb = LIGHT_INTENSITY * np.exp(-od) - 1.0
    return np.clip(rgb + 0.5, 0, 255).astype(np.uint8).reshape(image.shape)
