from __future__ import annotations

import numpy as np
import pytest

from unetops.train.augment import Augmenter
from unetops.train.config import AugmentConfig


def marked_pair() -> tuple[np.ndarray, np.ndarray]:
    """A bright image with a dark, off-centre rectangle and its mask."""
    image = np.full((3, 64, 64), 0.9, np.float32)
    mask = np.zeros((1, 64, 64), np.float32)
    image[:, 8:24, 30:60] = 0.1
    mask[:, 8:24, 30:60] = 1
    return image, mask


@pytest.mark.parametrize("seed", range(20))
def test_image_and_mask_move_together(seed: int) -> None:
    image, mask = marked_pair()
    out_image, out_mask = Augmenter(AugmentConfig(hed_jitter=0.0, intensity=False), 3)(image, mask, seed)
    dark = out_image.mean(axis=0) < 0.5
    assert set(np.unique(out_mask)) <= {0.0, 1.0}
    overlap = (dark & (out_mask[0] > 0)).sum() / max(1, (dark | (out_mask[0] > 0)).sum())
    assert overlap > 0.9


def test_same_seed_same_result_and_different_seeds_differ() -> None:
    image, mask = marked_pair()
    augment = Augmenter(AugmentConfig(), 3)
    a, b = augment(image, mask, 5), augment(image, mask, 5)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert any(not np.array_equal(augment(image, mask, s)[0], a[0]) for s in range(6, 10))


def test_disabled_augmentation_is_identity() -> None:
    image, mask = marked_pair()
    off = AugmentConfig(flip=False, rotate90=False, affine=False, intensity=False, hed_jitter=0)
    out = Augmenter(off, 3)(image, mask, 1)
    assert np.array_equal(out[0], image) and np.array_equal(out[1], mask)


def test_hed_jitter_only_for_colour() -> None:
    gray = np.full((1, 16, 16), 0.5, np.float32)
    only_hed = AugmentConfig(flip=False, rotate90=False, affine=False, intensity=False, hed_jitter=0.1)
    assert Augmenter(only_hed, 1).compose is None
    assert Augmenter(only_hed, 3).compose is not None
    out = Augmenter(only_hed, 1)(gray, np.zeros_like(gray), 0)
    assert np.array_equal(out[0], gray)
