from __future__ import annotations

import numpy as np
import pytest

from unetops.dataset.convert import binarise_otsu, convert_pair, resize_array, to_color_model
from unetops.dataset.inspect import LoadedPair
from unetops.spec import ColorModel, DatasetSpec, ResizePolicy


def test_grayscale_is_luminance() -> None:
    rgb = np.zeros((1, 3, 3), np.uint8)
    rgb[0, 0], rgb[0, 1], rgb[0, 2] = (255, 0, 0), (0, 255, 0), (0, 0, 255)
    assert to_color_model(rgb, ColorModel.grayscale).tolist() == [[76, 150, 29]]
    assert to_color_model(np.zeros((2, 2), np.uint8), ColorModel.rgb).shape == (2, 2, 3)


def test_otsu_binary() -> None:
    gray = np.array([[10, 12, 200, 210]], np.uint8)
    assert binarise_otsu(gray).tolist() == [[0, 0, 255, 255]]


@pytest.mark.parametrize(
    ("policy", "content_rows", "content_cols"),
    [(ResizePolicy.stretch, 40, 40), (ResizePolicy.fit, 20, 40), (ResizePolicy.crop, 40, 40)],
)
def test_resize_policies(policy: ResizePolicy, content_rows: int, content_cols: int) -> None:
    """A 20x10 (w x h) block brought to 40x40: stretched fills it, fit pads top and bottom, crop fills it."""
    ones = np.ones((10, 20), np.uint8)
    out = resize_array(ones, (40, 40), policy, nearest=True)
    rows, cols = np.nonzero(out)
    assert out.shape == (40, 40)
    assert (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1) == (content_rows, content_cols)


def test_crop_keeps_the_centre() -> None:
    ramp = np.tile(np.arange(40, dtype=np.uint8), (10, 1))  # 40 wide, 10 high
    out = resize_array(ramp, (10, 10), ResizePolicy.crop, nearest=True)
    assert out[0, 0] == 15 and out[0, -1] == 24


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
