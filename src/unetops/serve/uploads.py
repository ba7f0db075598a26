"""Uploaded images: size limits, content sniffing, a decompression-bomb guard, then the shared decoder."""

from __future__ import annotations

import io
import warnings
from pathlib import PurePath

import numpy as np
from PIL import Image, UnidentifiedImageError

from unetops.errors import ImageReadError
from unetops.fileio import safe_name
from unetops.imageio import image_to_uint8
from unetops.imageio.read import decode_image, describe_error
from unetops.serve.problems import Problem

SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"BM": "BMP",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
}


def sniff_format(data: bytes) -> str | None:
    """The image format named by the file's first bytes, or None for anything else."""
    return next((name for magic, name in SIGNATURES.items() if data.startswith(magic)), None)


def upload_name(filename: str | None) -> str:
    """A display name for an upload: its base name, reduced to safe characters (never used as a path)."""
    base = PurePath((filename or "upload").replace("\\", "/")).name
    return safe_name(base, fallback="upload", max_length=100)


def decode_upload(data: bytes, filename: str | None, max_pixels: int) -> np.ndarray:
    """A uint8 image from uploaded bytes; raises `Problem` (400, 413 or 415) naming the upload.

    The format is sniffed from the content (the name and declared type are not trusted), and the image's
    size is read from its header and checked before any pixel is decoded.
    """
    name = upload_name(filename)
    if not data:
        raise Problem(400, "Empty upload", f"{name}: the file is empty")
    fmt = sniff_format(data)
    if fmt is None:
        raise Problem(415, "Unsupported media type", f"{name}: not a PNG, JPEG, BMP or TIFF image (content sniffed)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as header:
                width, height = header.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise Problem(400, "Unreadable image", f"{name}: {fmt} header cannot be read ({describe_error(exc)})") from None
    if width * height > max_pixels:
        raise Problem(
            413, "Image too large", f"{name}: {width}x{height} pixels is over the limit of {max_pixels:,} pixels"
        )
    try:
        return image_to_uint8(decode_image(data, PurePath(name)))
    except ImageReadError as exc:
        raise Problem(400, "Unreadable image", f"{name}: {exc.problem}") from None
