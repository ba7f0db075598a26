"""Overlays of predicted (and true) outlines on images, for reports, MLflow and the web UI."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

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


def histogram_png(values: Mapping[str, Sequence[float]], *, bins: int = 20, colour: str = "#4a7ab5") -> bytes:
    """One histogram per named series, side by side, as PNG bytes (matplotlib, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(1, len(values), figsize=(3.2 * len(values), 2.8))
    for axis, (name, data) in zip(np.atleast_1d(axes), values.items(), strict=True):
        axis.hist(np.asarray(data, dtype=float), bins=bins, color=colour)
        axis.set_title(name)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    plt.close(figure)
    return buffer.getvalue()
