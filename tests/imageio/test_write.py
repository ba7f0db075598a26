from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from unetops.imageio import decode_image, encode_image, encode_labels, encode_mask, image_to_uint8, mask_values
from unetops.spec import ImageType


@pytest.mark.parametrize("kind", [ImageType.png, ImageType.bmp, ImageType.tif])
def test_lossless_round_trip_and_determinism(kind: ImageType) -> None:
    array = np.random.default_rng(1).integers(0, 256, (9, 7, 3), dtype=np.uint8)
    data = encode_image(array, kind)
    assert data == encode_image(array.copy(), kind)
    np.testing.assert_array_equal(image_to_uint8(decode_image(data, Path(f"x.{kind.value}"))), array)


def test_jpeg_is_close() -> None:
    array = np.full((16, 16, 3), 120, np.uint8)
    decoded = image_to_uint8(decode_image(encode_image(array, ImageType.jpg), Path("x.jpg")))
    assert np.abs(decoded.astype(int) - 120).max() <= 2


def test_mask_is_0_255_and_refuses_jpeg() -> None:
    mask = np.array([[True, False]])
    assert mask_values(decode_image(encode_mask(mask, ImageType.png), Path("m.png"))).tolist() == [[255, 0]]
    with pytest.raises(ValueError, match="lossless"):
        encode_mask(mask, ImageType.jpg)


def test_labels_are_16bit() -> None:
    labels = np.array([[0, 1, 300]], np.int32)
    decoded = decode_image(encode_labels(labels), Path("l.png"), mask=True)
    assert decoded.array.tolist() == [[0, 1, 300]]
