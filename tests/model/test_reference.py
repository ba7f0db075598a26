from __future__ import annotations

import numpy as np

from unetops.imageio.color import is_grayscale
from unetops.model.reference import (
    image_descriptors,
    image_view,
    input_warnings,
    reference_statistics,
)
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


def test_image_view_is_channel_first_and_shrunk() -> None:
    view = image_view(np.full((3000, 1500, 3), 255, np.uint8))
    assert view.shape == (3, 1024, 512) and view.dtype == np.float32 and view.max() == 1.0
    assert image_view(np.zeros((10, 20), np.uint8)).shape == (1, 10, 20)


def test_the_bar_for_inputs_is_the_least_typical_training_image() -> None:
    images = tiles(6)
    stats = reference_statistics(images)
    assert 0 < stats["image_shift_max"] < 1  # synthetic tiles of one stain are alike
    uint8 = [(np.moveaxis(image, 0, -1) * 255).round().astype(np.uint8) for image in images]
    assert all(
        input_warnings(u, image_descriptors(i), stats, rgb_model=True) == [] for u, i in zip(uint8, images, strict=True)
    )


def test_inputs_unlike_the_training_images_are_named() -> None:
    images = tiles(6)
    stats = reference_statistics(images)
    dark = (np.moveaxis(images[0], 0, -1) * 255 * 0.5).astype(np.uint8)
    warnings = input_warnings(dark, image_descriptors(image_view(dark)), stats, rgb_model=True)
    assert len(warnings) == 1 and "differ from the training images" in warnings[0]
    grey = np.repeat((np.moveaxis(images[1], 0, -1).mean(axis=2, keepdims=True) * 255).astype(np.uint8), 3, axis=2)
    assert is_grayscale(grey) and not is_grayscale((np.moveaxis(images[1], 0, -1) * 255).astype(np.uint8))
    warnings = input_warnings(grey, image_descriptors(image_view(grey)), stats, rgb_model=True)
    assert warnings[0].startswith("grayscale image, but the model was trained on colour")
    assert input_warnings(grey[..., 0], {}, {}, rgb_model=False) == []
