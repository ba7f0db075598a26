"""Overlays of predicted (and true) outlines on images, for reports, MLflow and the web UI."""

from __future__ import annotations

import cv2
import numpy as np
from skimage.segmentation import find_boundaries

PREDICTION_COLOUR = (0, 230, 0)
TRUTH_COLOUR = (230, 0, 230)


def overlay_outlines(image: np.ndarray, prediction: np.ndarray, truth: np.ndarray | None = None) -> np.ndarray:
    """An RGB copy of `image` with the outlines of `prediction` in green and of `truth` in magenta."""
    out = image.copy() if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if truth is not None:
        out[find_boundaries(truth, mode="inner")] = TRUTH_COLOUR
    out[find_boundaries(prediction, mode="inner")] = PREDICTION_COLOUR
    return out
