"""Decode image files into arrays, recording what was unusual about them."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from unetops.errors import ImageReadError

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"})
EXIF_ORIENTATION = 0x0112
BITS_PER_SAMPLE = 258  # TIFF tag
Image.MAX_IMAGE_PIXELS = 1 << 30  # microscopy tiles are big; a bomb guard for uploads lives in the service


OBJECT_REPR = re.compile(r"<[^<>]* at 0x[0-9a-fA-F]+>")


def describe_error(exc: BaseException) -> str:
    """A decoder's message without Python object reprs (Pillow says `<_io.BytesIO object at 0x...>`)."""
    return OBJECT_REPR.sub("the data", str(exc)) or type(exc).__name__


def is_image_file(path: Path) -> bool:
    """True for a visible file whose suffix is a supported image format."""
    return path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".") and path.is_file()


@dataclass(frozen=True)
class DecodedImage:
    """A decoded file: the array in its stored dtype, after EXIF orientation.

    Attributes:
        array: (H, W) or (H, W, C) with C in 2..4; uint8, uint16 or int32 (palette images keep indices);
            floating-point images in 0..1 become uint8 (x 255), others are refused.
        format: Pillow's format name (PNG, JPEG, BMP, TIFF).
        mode: Pillow's mode before conversion (L, RGB, RGBA, P, I;16, ...).
        exif_rotated: the EXIF orientation tag turned or flipped the pixels.
    """

    array: np.ndarray
    format: str
    mode: str
    exif_rotated: bool

    @property
    def has_alpha(self) -> bool:
        return self.mode in ("RGBA", "LA", "PA") or (self.array.ndim == 3 and self.array.shape[2] in (2, 4))

    @property
    def alpha_opaque(self) -> bool:
        """True when there is no alpha channel or it is fully opaque."""
        if not self.has_alpha:
            return True
        alpha = self.array[..., -1]
        return bool(alpha.min() == np.iinfo(alpha.dtype).max)

    @property
    def bit_depth(self) -> int:
        return 16 if self.array.dtype == np.uint16 else 8

    @property
    def size(self) -> tuple[int, int]:
        """(width, height)."""
        return int(self.array.shape[1]), int(self.array.shape[0])


def decode_image(data: bytes, path: Path, *, mask: bool = False) -> DecodedImage:
    """Decode an image file's bytes; raises `ImageReadError` naming `path` if it is not a whole image.

    Args:
        data: the file's bytes.
        path: the file, for messages.
        mask: keep a palette image's indices (class codes) instead of expanding its colours.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.load()
            fmt, mode = image.format or path.suffix.lstrip(".").upper(), image.mode
            rotated = image.getexif().get(EXIF_ORIENTATION, 1) not in (0, 1)
            oriented = ImageOps.exif_transpose(image) if rotated else image
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if path.suffix.lower() in (".tif", ".tiff"):
            return _decode_tiff(data, path)
        reason = "truncated or corrupt" if "truncated" in str(exc) or isinstance(exc, OSError) else "not an image"
        raise ImageReadError(
            f"cannot decode image ({reason}: {describe_error(exc)})",
            path=path,
            fix="re-export the file or remove it from the source",
        ) from None
    if fmt == "TIFF" and mode in ("RGB", "RGBA") and max(image.tag_v2.get(BITS_PER_SAMPLE, (8,))) > 8:
        return _decode_tiff(data, path)  # Pillow reads 16-bit colour TIFFs as 8-bit; tifffile keeps the depth
    array = _to_array(oriented, mask)
    return DecodedImage(_from_float(array, path) if array.dtype.kind == "f" else array, fmt, mode, rotated)


def _to_array(image: Image.Image, mask: bool) -> np.ndarray:
    if image.mode == "P" and mask:
        return np.asarray(image, dtype=np.int32)  # palette indices are the class codes of a mask
    if image.mode in ("P", "PA"):
        image = image.convert("RGBA" if "transparency" in image.info or image.mode == "PA" else "RGB")
    if image.mode in ("I;16", "I;16B", "I;16L"):
        return np.asarray(image).astype(np.uint16)
    if image.mode == "I":
        values = np.asarray(image)
        return values.astype(np.uint16) if values.min() >= 0 and values.max() < 65536 else values.astype(np.int32)
    if image.mode in ("CMYK", "YCbCr", "HSV", "LAB"):
        image = image.convert("RGB")
    elif image.mode == "1":
        image = image.convert("L")
    return np.asarray(image)


def _from_float(array: np.ndarray, path: Path) -> np.ndarray:
    """Floating-point pixels in 0..1 (the convention of scikit-image and most analysis tools) as uint8, x 255.

    Raises:
        ImageReadError: values outside 0..1 or not finite; no scaling is guessed.
    """
    finite = bool(np.isfinite(array).all())
    low, high = (float(np.nanmin(array)), float(np.nanmax(array))) if array.size else (0.0, 0.0)
    if not finite or low < 0 or high > 1:
        raise ImageReadError(
            f"floating-point image ({array.dtype}) with values {low:g}..{high:g}: only finite values in 0..1 are "
            "read (scaled to 0..255)",
            path=path,
            fix="export it as an 8- or 16-bit image, or scale it to 0..1",
        )
    return np.round(array * 255).astype(np.uint8)


def _decode_tiff(data: bytes, path: Path) -> DecodedImage:
    import tifffile

    try:
        array = tifffile.imread(io.BytesIO(data))
    except Exception as exc:  # tifffile raises many unrelated types for bad files
        raise ImageReadError(
            f"cannot decode TIFF (truncated or corrupt: {describe_error(exc)})",
            path=path,
            fix="re-export the file or remove it",
        ) from None
    array = np.squeeze(array)
    if array.ndim == 3 and array.shape[0] in (3, 4) and array.shape[2] not in (3, 4):
        array = np.moveaxis(array, 0, -1)
    if array.ndim not in (2, 3) or array.dtype.kind not in "uif":
        raise ImageReadError(
            f"unsupported TIFF layout (shape {array.shape}, dtype {array.dtype})",
            path=path,
            fix="save a single-page 8- or 16-bit grayscale or RGB TIFF",
        )
    if array.dtype.kind == "f":
        array = _from_float(array, path)
    mode = "RGBA" if array.ndim == 3 and array.shape[2] == 4 else ("RGB" if array.ndim == 3 else "L")
    return DecodedImage(array, "TIFF", mode, False)


def read_image(path: Path, *, mask: bool = False) -> DecodedImage:
    """Read and decode a file (see `decode_image`)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageReadError(f"cannot read file: {exc.strerror}", path=path) from None
    return decode_image(data, path, mask=mask)


def image_to_uint8(decoded: DecodedImage) -> np.ndarray:
    """An image as uint8 (H, W) or (H, W, 3): alpha dropped, 16-bit scaled by 1/257, palette expanded."""
    array = decoded.array
    if array.ndim == 3:
        array = array[..., :3] if array.shape[2] >= 3 else array[..., 0]
    if array.dtype == np.uint16:
        array = (array.astype(np.uint32) * 255 + 32767) // 65535
    elif array.dtype != np.uint8:
        array = np.clip(array, 0, 255)
    return np.ascontiguousarray(array.astype(np.uint8))


def mask_values(decoded: DecodedImage) -> np.ndarray:
    """A mask's raw values as a 2-D array: palette indices, or the largest channel of an RGB mask."""
    array = decoded.array
    if array.ndim == 3:
        array = array[..., : min(3, array.shape[2])].max(axis=2) if array.shape[2] != 2 else array[..., 0]
    return array
