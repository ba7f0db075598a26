"""Reference statistics of a model's training images, kept in its metadata so that inputs can be compared
with them (input drift, colour-model mismatch)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from unetops.preprocess.deconvolution import StainVectors, deconvolve

STAINS = ("hematoxylin", "dab")


def _as_uint8_rgb(image: np.ndarray) -> np.ndarray:
    return np.moveaxis((np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8), 0, -1)


def _stain_od(image: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Per-pixel hematoxylin and DAB OD of a channel-first RGB image in [0, 1]; None for other channel counts."""
    return deconvolve(_as_uint8_rgb(image), StainVectors()) if image.shape[0] == 3 else None


def image_descriptors(image: np.ndarray) -> dict[str, list[float]]:
    """Per-channel mean and std, stain OD means (RGB) and size of a channel-first image in [0, 1]."""
    pixels = image.reshape(image.shape[0], -1)
    descriptors = {
        "channel_mean": pixels.mean(axis=1).tolist(),
        "channel_std": pixels.std(axis=1).tolist(),
        "size": [float(image.shape[1]), float(image.shape[2])],
    }
    od = _stain_od(image)
    if od is not None:
        descriptors["stain_od_mean"] = [float(channel.mean()) for channel in od]
    return descriptors


def reference_statistics(images: Sequence[np.ndarray]) -> dict[str, Any]:
    """Pooled statistics of channel-first training images in [0, 1], stored in the model's metadata."""
    pixels = np.concatenate([image.reshape(image.shape[0], -1) for image in images], axis=1)
    stats: dict[str, Any] = {
        "channel_mean": pixels.mean(axis=1).round(6).tolist(),
        "channel_std": pixels.std(axis=1).round(6).tolist(),
        "height_mean": float(np.mean([image.shape[1] for image in images])),
        "width_mean": float(np.mean([image.shape[2] for image in images])),
        "images": len(images),
    }
    ods = [od for od in map(_stain_od, images) if od is not None]
    if ods:
        per_stain = [np.concatenate([od[i].ravel() for od in ods]) for i in range(len(STAINS))]
        stats["stain_od_mean"] = [round(float(v.mean()), 6) for v in per_stain]
        stats["stain_od_std"] = [round(float(v.std()), 6) for v in per_stain]
    return stats
