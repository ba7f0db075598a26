"""Reading and writing microscopy images and masks.

Array convention: images are `uint8` arrays of shape (H, W) for one channel or (H, W, 3) for RGB;
masks are `bool` arrays of shape (H, W); instance labels are `int32` arrays of shape (H, W).
"""

from __future__ import annotations

from unetops.imageio.read import (
    IMAGE_SUFFIXES,
    DecodedImage,
    decode_image,
    image_to_uint8,
    is_image_file,
    mask_values,
    read_image,
)
from unetops.imageio.write import SUFFIX_BY_TYPE, encode_image, encode_labels, encode_mask

__all__ = [
    "IMAGE_SUFFIXES",
    "SUFFIX_BY_TYPE",
    "DecodedImage",
    "decode_image",
    "encode_image",
    "encode_labels",
    "encode_mask",
    "image_to_uint8",
    "is_image_file",
    "mask_values",
    "read_image",
]
