"""Input drift: image descriptors of recent requests compared with the training images' statistics.

Every model's metadata carries `reference_stats` of its training images (`unetops.model.reference`). The service
keeps the descriptors of its last requests and reports, per descriptor, how far their mean is from the
reference: channel and stain means in reference standard deviations, channel spread as |log2| of the ratio.
The drift score is the largest of these; about 0.5 is worth a look, above 1 the inputs no longer look
like the training data (another stain, scanner or magnification).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from unetops.model.reference import descriptor_shifts, image_descriptors

WINDOW = 200


def mean_descriptors(recent: Sequence[Mapping[str, list[float]]]) -> dict[str, list[float]]:
    """Element-wise mean of each descriptor over recent images."""
    return {key: np.mean([d[key] for d in recent], axis=0).tolist() for key in recent[0]}


class DriftMonitor:
    """Descriptors of the last `window` images and their drift from a model's `reference_stats` (thread-safe)."""

    def __init__(self, reference: Mapping[str, Any], window: int = WINDOW) -> None:
        self.reference = dict(reference)
        self.recent: deque[dict[str, list[float]]] = deque(maxlen=window)
        self.seen = 0
        self._lock = threading.Lock()

    def add(self, image: np.ndarray) -> None:
        """Record one prepared, channel-first image in [0, 1]."""
        self.add_descriptors(image_descriptors(image))

    def add_descriptors(self, descriptors: dict[str, list[float]]) -> None:
        """Record one image's descriptors (`Segmentation.descriptors`)."""
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
            components = descriptor_shifts(mean, self.reference)
            report["components"] = {k: round(v, 4) for k, v in components.items()}
            report["score"] = round(max(components.values()), 4) if components else None
            report["recent"] = {k: [round(v, 6) for v in values] for k, values in mean.items()}
        return report
