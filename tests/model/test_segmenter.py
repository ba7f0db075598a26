from __future__ import annotations

from pathlib import Path

import numpy as np

from unetops.model.backends import load_model
from unetops.model.segmenter import Segmenter
from unetops.model.tiled import predict_probabilities
from unetops.sample import synthetic_ihc_tile


def tile(seed: int = 3, size: int = 96) -> np.ndarray:
    return synthetic_ihc_tile(np.random.default_rng(seed), height=size, width=size).image


def test_segment_is_prepare_then_tiled_probabilities_then_the_model_threshold(tiny_model: Path) -> None:
    model = load_model(tiny_model)
    image = tile()
    result = Segmenter(model).segment(image)
    expected = predict_probabilities(image, model.logits, model.metadata)
    np.testing.assert_allclose(result.probabilities, expected, atol=1e-6)
    assert np.array_equal(result.mask, expected > model.metadata.threshold)
    assert result.image is image and result.prepared.shape == image.shape


def test_threshold_tta_and_window_are_settings(tiny_model: Path) -> None:
    model = load_model(tiny_model)
    image = tile(4)
    plain = Segmenter(model).segment(image)
    assert Segmenter(model, threshold=0.999).segment(image).mask.sum() <= plain.mask.sum()
    assert Segmenter(model, threshold=0.001).segment(image).mask.sum() >= plain.mask.sum()
    flipped = Segmenter(model, tta=True).segment(image).probabilities
    assert not np.allclose(flipped, plain.probabilities)
    windowed = Segmenter(model, window=64).segment(image).probabilities
    np.testing.assert_allclose(
        windowed, predict_probabilities(image, model.logits, model.metadata, window=64), atol=1e-6
    )


def test_descriptors_and_warnings_come_with_the_segmentation(tiny_model: Path) -> None:
    segmenter = Segmenter(load_model(tiny_model))
    image = tile(5)
    result = segmenter.segment(image)
    assert result.warnings == [] and len(result.descriptors["channel_mean"]) == 3
    again = segmenter.segment(segmenter.prepare(image), prepared=True)
    assert np.array_equal(result.mask, again.mask) and again.descriptors == result.descriptors
    grey = segmenter.segment(image.mean(axis=2).astype(np.uint8))
    assert grey.warnings and grey.warnings[0].startswith("grayscale image")
