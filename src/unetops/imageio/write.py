"""Encode arrays into image files, deterministically (same array, same bytes)."""

from __future__ import annotations

import cv2
import numpy as np

from unetops.imageio.types import ImageType

SUFFIX_BY_TYPE: dict[ImageType, str] = {
    ImageType.jpg: ".jpg",
    ImageType.png: ".png",
    ImageType.bmp: ".bmp",
    ImageType.tif: ".tif",
}
PNG_COMPRESSION = 6
JPEG_QUALITY = 95


def _params(image_type: ImageType) -> list[int]:
    if image_type is ImageType.png:
        return [cv2.IMWRITE_PNG_COMPRESSION, PNG_COMPRESSION]
    if image_type is ImageType.jpg:
        return [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]
    if image_type is ImageType.tif:
        return [cv2.IMWRITE_TIFF_COMPRESSION, 5]  # LZW, lossless
    return []


def encode_image(array: np.ndarray, image_type: ImageType) -> bytes:
    """Encode a uint8 (H, W), RGB (H, W, 3) or RGBA (H, W, 4; PNG) array."""
    if array.ndim == 3:
        array = cv2.cvtColor(array, cv2.COLOR_RGBA2BGRA if array.shape[2] == 4 else cv2.COLOR_RGB2BGR)
    ok, buffer = cv2.imencode(SUFFIX_BY_TYPE[image_type], array, _params(image_type))
    if not ok:  # pragma: no cover - OpenCV fails only on unsupported dtypes, which we never pass
        raise RuntimeError(f"OpenCV could not encode a {array.dtype} {array.shape} array as {image_type.value}")
    return buffer.tobytes()


def encode_mask(mask: np.ndarray, image_type: ImageType) -> bytes:
    """Encode a boolean mask as a single-channel 0/255 image (lossless types only)."""
    if not image_type.lossless:
        raise ValueError("masks must be stored in a lossless format")
    return encode_image(np.where(mask, 255, 0).astype(np.uint8), image_type)


def encode_labels(labels: np.ndarray) -> bytes:
    """Encode an instance label image as a 16-bit PNG (0 background, 1..N objects)."""
    if labels.max(initial=0) > 65535:
        raise ValueError("more than 65535 instances cannot be stored in a 16-bit PNG")
    return encode_image(labels.astype(np.uint16), ImageType.png)
