from __future__ import annotations

import numpy as np

from unetops.model.reference import image_descriptors, reference_statistics
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
