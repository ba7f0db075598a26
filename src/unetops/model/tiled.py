"""Whole-image prediction of any size: sliding windows with Gaussian blending, in NumPy.

The window placement, padding and Gaussian importance map are MONAI's `sliding_window_inference`
(`mode="gaussian"`, `sigma_scale=0.125`); a test checks that the two agree. It is written on NumPy so that
the ONNX backend, and so the serving image, run without PyTorch.

Large images go through in horizontal bands: each band, with a margin of one window above and below, is
predicted and only its central rows are kept. Memory then holds the uint8 image, one float32 probability
map and one band, whatever the image size; an image no taller than a band is predicted in a single pass.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Protocol

import numpy as np
from scipy.special import expit, softmax

from unetops.errors import InferenceCancelled
from unetops.model.backends import LogitsFn
from unetops.model.metadata import ModelMetadata
from unetops.spec.prepare import prepare_image

DEFAULT_OVERLAP = 0.25
WINDOW_BATCH = 4
BAND_ROWS = 1024
SIGMA_SCALE = 0.125


@cache
def gaussian_weights(size: int) -> np.ndarray:
    """(size, size) blending weights: a Gaussian with sigma = size / 8, peak 1, floored at max(min, 1e-3)."""
    x = np.arange(-(size - 1) / 2.0, (size - 1) / 2.0 + 1, dtype=np.float32)
    line = np.exp(x**2 / (-2 * (SIGMA_SCALE * size) ** 2)).astype(np.float32)
    weights = np.outer(line, line)
    return np.maximum(weights, max(float(weights.min()), 1e-3))


def window_starts(length: int, size: int, overlap: float) -> list[int]:
    """Start offsets of windows of `size` covering `length` (>= size) with `overlap`; the last one flush."""
    step = size if length == size else max(1, int(size * (1 - overlap)))
    count = math.ceil(length / step)
    starts = []
    for index in range(count):
        starts.append(min(index * step, length - size))
        if index * step + size >= length:
            break
    return starts


def _flip_averaged(logits: LogitsFn, batch: np.ndarray, flips: bool) -> np.ndarray:
    """Logits of a batch, optionally averaged over horizontal, vertical and both flips."""
    total = logits(batch)
    if flips:
        for axes in ((2,), (3,), (2, 3)):
            total = total + np.flip(logits(np.ascontiguousarray(np.flip(batch, axes))), axes)
        total = total / 4
    return total


class Cancel(Protocol):
    """Anything with `is_set()`, e.g. a `threading.Event`: set, the prediction stops at the next window batch."""

    def is_set(self) -> bool: ...


def sliding_window_logits(
    image: np.ndarray,
    logits: LogitsFn,
    size: int,
    overlap: float,
    flips: bool = False,
    cancel: Cancel | None = None,
) -> np.ndarray:
    """Blended logits (K, H, W) of the network's K output channels for a channel-first float32 image (C, H, W)
    in [0, 1].

    Raises:
        InferenceCancelled: `cancel` was set (checked before every batch of windows).
    """
    _, height, width = image.shape
    pad = [(0, 0)] + [((size - n) // 2, size - n - (size - n) // 2) if n < size else (0, 0) for n in (height, width)]
    padded = np.pad(image, pad)
    weights = gaussian_weights(size)
    total: np.ndarray | None = None  # (K, H, W) once the first batch tells K
    count = np.zeros(padded.shape[1:], np.float32)
    corners = [
        (y, x)
        for y in window_starts(padded.shape[1], size, overlap)
        for x in window_starts(padded.shape[2], size, overlap)
    ]
    for first in range(0, len(corners), WINDOW_BATCH):
        if cancel is not None and cancel.is_set():
            raise InferenceCancelled
        chunk = corners[first : first + WINDOW_BATCH]
        batch = np.stack([padded[:, y : y + size, x : x + size] for y, x in chunk])
        out = _flip_averaged(logits, batch, flips)
        if total is None:
            total = np.zeros((out.shape[1], *padded.shape[1:]), np.float32)
        for (y, x), window in zip(chunk, out, strict=True):
            total[:, y : y + size, x : x + size] += window * weights
            count[y : y + size, x : x + size] += weights
    (top, _), (left, _) = pad[1], pad[2]
    return (total / count)[:, top : top + height, left : left + width]


def class_probabilities(logits: np.ndarray, axis: int = 0) -> np.ndarray:
    """Probabilities from logits with the K channels on `axis`: the sigmoid of one channel, the softmax of
    several."""
    return expit(logits) if logits.shape[axis] == 1 else softmax(logits, axis=axis)


def foreground(probabilities: np.ndarray) -> np.ndarray:
    """Nucleus probability (H, W): the one channel of a binary model, 1 - background of an instance model."""
    return probabilities[0] if probabilities.shape[0] == 1 else 1.0 - probabilities[0]


def predict_maps(
    image: np.ndarray,
    logits: LogitsFn,
    metadata: ModelMetadata,
    *,
    tta: bool = False,
    overlap: float = DEFAULT_OVERLAP,
    window: int | None = None,
    band_rows: int = BAND_ROWS,
    prepared: bool = False,
    cancel: Cancel | None = None,
) -> np.ndarray:
    """Class probabilities (K, H, W) float32 for a uint8 image of any size: K = 1 (foreground) for a binary
    model, 3 (background, interior, border) for an instance model.

    Args:
        image: (H, W) or (H, W, 3) uint8, as read from disk (it is prepared here).
        logits: a backend's logits function.
        metadata: the model's metadata (colour model, preprocessing, training patch size).
        tta: average over horizontal, vertical and both flips.
        overlap: fraction of window overlap.
        window: window size; default the training patch size.
        band_rows: rows predicted per band (plus a margin of one window on each side).
        prepared: the image is already in the model's colour model and preprocessed (a built dataset's image).
        cancel: stops the prediction (`InferenceCancelled`) at the next window batch once set.
    """
    ready = image if prepared else prepare_image(image, metadata.dataset_spec)
    channels_first = ready[None] if ready.ndim == 2 else np.moveaxis(ready, -1, 0)
    size = window or metadata.patch_size
    height = channels_first.shape[1]
    maps = np.empty((metadata.network.out_channels, *channels_first.shape[1:]), dtype=np.float32)
    for top in range(0, height, band_rows):
        bottom = min(height, top + band_rows)
        lo, hi = max(0, top - size), min(height, bottom + size)
        band = channels_first[:, lo:hi].astype(np.float32) / 255.0
        band_logits = sliding_window_logits(band, logits, size, overlap, tta, cancel)
        maps[:, top:bottom] = class_probabilities(band_logits[:, top - lo : top - lo + bottom - top])
    return maps


def predict_probabilities(image: np.ndarray, logits: LogitsFn, metadata: ModelMetadata, **options) -> np.ndarray:
    """Foreground probabilities (H, W) float32 for a uint8 image of any size (`predict_maps`' options)."""
    return foreground(predict_maps(image, logits, metadata, **options))
