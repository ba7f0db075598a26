from __future__ import annotations

import numpy as np

from unetops.dataset.convert import convert_pair
from unetops.dataset.inspect import LoadedPair
from unetops.spec import ColorModel, DatasetSpec


def test_masks_stay_binary_and_aligned_after_resize() -> None:
    image = np.zeros((64, 48, 3), np.uint8)
    mask = np.zeros((64, 48), bool)
    image[16:48, 12:36] = 255
    mask[16:48, 12:36] = True
    spec = DatasetSpec(width=24, height=32, color_model=ColorModel.grayscale)
    out = convert_pair(LoadedPair(image, mask), spec)
    assert out.image.shape == (32, 24) and out.mask.shape == (32, 24) and out.mask.dtype == bool
    assert np.array_equal(out.image > 127, out.mask)


def test_native_size_keeps_shape_and_labels_resize_nearest() -> None:
    labels = np.zeros((10, 10), np.int32)
    labels[2:5, 2:5], labels[6:9, 6:9] = 1, 2
    pair = LoadedPair(np.zeros((10, 10, 3), np.uint8), labels > 0, labels)
    assert convert_pair(pair, DatasetSpec(width=None, height=None)).image.shape == (10, 10, 3)
    resized = convert_pair(pair, DatasetSpec(width=20, height=20))
    assert set(np.unique(resized.instances)) == {0, 1, 2}
