from __future__ import annotations

import numpy as np
import pytest

from unetops.model.reference import reference_statistics
from unetops.monitoring.drift import DriftMonitor
from unetops.sample import synthetic_ihc_tile


def tiles(count: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [np.moveaxis(synthetic_ihc_tile(rng, height=64, width=64).image, -1, 0) / 255.0 for _ in range(count)]


def test_same_distribution_scores_low_and_another_stain_high() -> None:
    monitor = DriftMonitor(reference_statistics(tiles(8)), window=10)
    assert monitor.report()["score"] is None
    for image in tiles(10, seed=1):
        monitor.add(image)
    similar = monitor.report()
    assert similar["score"] < 0.5 and similar["images_in_window"] == 10
    for image in tiles(10, seed=2):
        monitor.add(image * 0.6)  # a much darker stain and scan
    shifted = monitor.report()
    assert shifted["score"] > 1 and shifted["images_seen"] == 20 and shifted["images_in_window"] == 10


def test_a_grayscale_model_ignores_stains() -> None:
    gray = [image[:1] for image in tiles(4)]
    monitor = DriftMonitor(reference_statistics(gray))
    monitor.add(gray[0])
    assert set(monitor.report()["components"]) == {"channel_0_mean_shift", "channel_0_spread_log2_ratio"}
    assert monitor.report()["score"] == pytest.approx(max(monitor.report()["components"].values()), abs=1e-4)
