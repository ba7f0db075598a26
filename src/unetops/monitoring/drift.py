"""Input drift: image descriptors of recent requests compared with the training images' statistics.

Every model's metadata carries `reference_stats` of its training images (pooled per-channel mean and
standard deviation in [0, 1], hematoxylin and DAB optical density for RGB models, mean size). The service
keeps the descriptors of its last requests and reports, per descriptor, how far their mean is from the
reference: channel and stain means in reference standard deviations, channel spread as |log2| of the ratio.
The drift score is the largest of these; about 0.5 is worth a look, above 1 the inputs no longer look
like the training data (another stain, scanner or magnification).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from unetops.quantify.config import StainVectors
from unetops.quantify.stains import deconvolve

WINDOW = 200
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


def _shift(values: Sequence[float], reference: Sequence[float], scale: Sequence[float]) -> list[float]:
    return [abs(v - r) / max(s, 1e-6) for v, r, s in zip(values, reference, scale, strict=True)]


def mean_descriptors(recent: Sequence[Mapping[str, list[float]]]) -> dict[str, list[float]]:
    """Element-wise mean of each descriptor over recent images."""
    return {key: np.mean([d[key] for d in recent], axis=0).tolist() for key in recent[0]}


def drift_components(mean: Mapping[str, list[float]], reference: Mapping[str, Any]) -> dict[str, float]:
    """Named drift components (0 = like the training data) of the mean descriptors of recent images."""
    components: dict[str, float] = {}
    channels = len(reference.get("channel_mean", []))
    if channels and len(mean["channel_mean"]) == channels:
        for c, value in enumerate(_shift(mean["channel_mean"], reference["channel_mean"], reference["channel_std"])):
            components[f"channel_{c}_mean_shift"] = value
        for c, (got, want) in enumerate(zip(mean["channel_std"], reference["channel_std"], strict=True)):
            components[f"channel_{c}_spread_log2_ratio"] = abs(math.log2(max(got, 1e-6) / max(want, 1e-6)))
    if "stain_od_mean" in reference and "stain_od_mean" in mean:
        shifts = _shift(mean["stain_od_mean"], reference["stain_od_mean"], reference["stain_od_std"])
        components.update({f"{stain}_od_shift": value for stain, value in zip(STAINS, shifts, strict=True)})
    return components


class DriftMonitor:
    """Descriptors of the last `window` images and their drift from a model's `reference_stats` (thread-safe)."""

    def __init__(self, reference: Mapping[str, Any], window: int = WINDOW) -> None:
        self.reference = dict(reference)
        self.recent: deque[dict[str, list[float]]] = deque(maxlen=window)
        self.seen = 0
        self._lock = threading.Lock()

    def add(self, image: np.ndarray) -> None:
        """Record one prepared, channel-first image in [0, 1]."""
        descriptors = image_descriptors(image)
        with self._lock:
            self.recent.append(descriptors)
            self.seen += 1

    def report(self) -> dict[str, Any]:
        """The drift score, its components, and the recent and reference descriptors."""
        with self._lock:
            recent = list(self.recent)
        report: dict[str, Any] = {
            "window": self.recent.maxlen,
            "images_in_window": len(recent),
            "images_seen": self.seen,
            "reference": self.reference,
            "score": None,
            "components": {},
        }
        if recent:
            mean = mean_descriptors(recent)
            components = drift_components(mean, self.reference)
            report["components"] = {k: round(v, 4) for k, v in components.items()}
            report["score"] = round(max(components.values()), 4) if components else None
            report["recent"] = {k: [round(v, 6) for v in values] for k, values in mean.items()}
        return report
