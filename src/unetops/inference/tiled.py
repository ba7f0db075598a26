"""Whole-image prediction of any size: MONAI sliding-window inference with Gaussian blending.

Large images go through in horizontal bands: each band, with a margin of one window above and below,
is converted to float32 and passed to MONAI's sliding-window inference, and only its central rows are
kept. Memory then holds the uint8 image, one float32 probability map and one band, whatever the image
size; an image no taller than a band is predicted in a single call, exactly as MONAI does.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
from monai.inferers import sliding_window_inference

from unetops.dataset.convert import to_color_model
from unetops.inference.backends import LogitsFn
from unetops.model.metadata import ModelMetadata
from unetops.preprocess import apply_preprocessing
from unetops.spec.model import ColorModel

DEFAULT_OVERLAP = 0.25
WINDOW_BATCH = 4
BAND_ROWS = 1024


def prepare_image(image: np.ndarray, metadata: ModelMetadata) -> np.ndarray:
    """A uint8 image as the model was trained on it: colour model, preprocessing, binary by Otsu."""
    spec = metadata.dataset_spec
    prepared = apply_preprocessing(to_color_model(image, spec.color_model), spec.preprocess)
    if spec.color_model is ColorModel.binary:
        _, prepared = cv2.threshold(prepared, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return prepared


class _ScaledWindows:
    """Wraps a logits function: uint8 windows in, optionally averaged over flips (test-time augmentation)."""

    def __init__(self, logits: LogitsFn, flips: bool) -> None:
        self.logits, self.flips = logits, flips

    def __call__(self, window: torch.Tensor) -> torch.Tensor:
        batch = window.float() / 255.0
        if not self.flips:
            return self.logits(batch)
        total = self.logits(batch)
        for dims in ((2,), (3,), (2, 3)):
            total = total + torch.flip(self.logits(torch.flip(batch, dims)), dims)
        return total / 4


def _band_probabilities(band: np.ndarray, windows: _ScaledWindows, size: int, overlap: float) -> np.ndarray:
    """Sigmoid probabilities (rows, W) for a channel-first uint8 band."""
    tensor = torch.from_numpy(np.ascontiguousarray(band)).float()[None]
    out = sliding_window_inference(tensor, (size, size), WINDOW_BATCH, windows, overlap=overlap, mode="gaussian")
    return torch.sigmoid(out[0, 0]).numpy()


def predict_probabilities(
    image: np.ndarray,
    logits: LogitsFn,
    metadata: ModelMetadata,
    *,
    tta: bool = False,
    overlap: float = DEFAULT_OVERLAP,
    window: int | None = None,
    band_rows: int = BAND_ROWS,
    prepared: bool = False,
) -> np.ndarray:
    """Foreground probabilities (H, W) float32 for a uint8 image of any size.

    Args:
        image: (H, W) or (H, W, 3) uint8, as read from disk (it is prepared here).
        logits: a backend's logits function.
        metadata: the model's metadata (colour model, preprocessing, training patch size).
        tta: average over horizontal, vertical and both flips.
        overlap: fraction of window overlap.
        window: window size; default the training patch size.
        band_rows: rows predicted per band (plus a margin of one window on each side).
        prepared: the image is already in the model's colour model and preprocessed (a built dataset's image).
    """
    ready = image if prepared else prepare_image(image, metadata)
    channels_first = ready[None] if ready.ndim == 2 else np.moveaxis(ready, -1, 0)
    size = window or metadata.patch_size
    windows = _ScaledWindows(logits, tta)
    height = channels_first.shape[1]
    probabilities = np.empty(channels_first.shape[1:], dtype=np.float32)
    with torch.inference_mode():
        for top in range(0, height, band_rows):
            bottom = min(height, top + band_rows)
            lo, hi = max(0, top - size), min(height, bottom + size)
            band = _band_probabilities(channels_first[:, lo:hi], windows, size, overlap)
            probabilities[top:bottom] = band[top - lo : top - lo + bottom - top]
    return probabilities
