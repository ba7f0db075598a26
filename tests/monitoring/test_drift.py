from __future__ import annotations

import numpy as np
import pytest

from unetops.monitoring.drift import DriftMonitor, image_descriptors, reference_statistics
from unetops.sample import synthetic_ihc_tile


def tiles(count: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [np.moveaxis(synthetic_ihc_tile(rng, height=64, width=64).image, -1, 0) / 255.0 for _ in range(count)]


def test_reference_statistics_pool_pixels_and_stains() -> None:
    images = tiles(4)
    stats = reference_statistics(images)
    pixels = np.concatenate([i.reshape(3, -1) for i in images], axis=1)
    np.testing.assert_allclose(stats["channel_mean"], pixels.mean(axis=1), atol=1e-6)
    assert stats["images"] == 4 and len(stats["stain_od_mean"]) == len(stats["stain_od_std"]) == 2
    assert "stain_od_mean" not in reference_statistics([i[:1] for i in images])  # grayscale: no stains
    assert image_descriptors(images[0])["size"] == [64.0, 64.0]


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
