"""Input drift: image descriptors of recent requests compared with the training images' statistics.

Every model's metadata carries `reference_stats` of its training images (`unetops.model.reference`). The service
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

import cv2
import numpy as np

from unetops.model.reference import STAINS, image_descriptors

WINDOW = 200
DRIFT_SIDE = 1024


def _shift(values: Sequence[float], reference: Sequence[float], scale: Sequence[float]) -> list[float]:
    return [abs(v - r) / max(s, 1e-6) for v, r, s in zip(values, reference, scale, strict=True)]


def drift_view(prepared: np.ndarray) -> np.ndarray:
    """A prepared uint8 image as the monitor records it: channel-first float in [0, 1], longer side at most
    `DRIFT_SIDE`."""
    scale = DRIFT_SIDE / max(prepared.shape[:2])
    if scale < 1:
        size = (max(1, round(prepared.shape[1] * scale)), max(1, round(prepared.shape[0] * scale)))
        prepared = cv2.resize(prepared, size, interpolation=cv2.INTER_AREA)
    view = prepared.astype(np.float32) / 255.0
    return view[None] if view.ndim == 2 else np.moveaxis(view, -1, 0)


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
