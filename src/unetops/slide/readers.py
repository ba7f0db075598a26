"""Slide readers: one small contract, implemented with OpenSlide (scanner formats), tifffile (pyramidal TIFF and
OME-TIFF) and Pillow (plain images), and `open_slide`, which picks the reader for a file.

Coordinates follow OpenSlide: a region is asked for at a level, its top-left corner in level-0 pixels and its
size in that level's pixels; the answer is RGB uint8 (H, W, 3).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

from unetops.errors import UnetopsError
from unetops.slide.info import SlideInfo

TIFF_SUFFIXES = (".tif", ".tiff", ".btf")
SLIDE_SUFFIXES = (
    ".svs",
    ".ndpi",
    ".mrxs",
    ".scn",
    ".vms",
    ".vmu",
    ".bif",
    ".svslide",
    *TIFF_SUFFIXES,
    ".png",
    ".jpg",
    ".jpeg",
)  # what the readers take: OpenSlide's formats, TIFF, plain images
THUMBNAIL_BAND_ROWS = 256  # thumbnail rows made from one read
UM_PER_UNIT = {"CENTIMETER": 1e4, "MILLIMETER": 1e3, "MICROMETER": 1.0}


class SlideError(UnetopsError):
    """A slide cannot be opened, has no usable pixel size, or a region cannot be read."""


class SlideReader(ABC):
    """An open slide. Use as a context manager, or call `close`."""

    info: SlideInfo

    @abstractmethod
    def read_region(self, level: int, location: tuple[int, int], size: tuple[int, int]) -> np.ndarray:
        """RGB uint8 (h, w, 3) of `size` (w, h) at `level`, its top-left at `location` (x, y) in level-0 pixels.

        Parts outside the slide are white (background).
        """

    def associated_image(self, name: str) -> np.ndarray:
        """An associated image (label, macro, thumbnail) as RGB uint8."""
        raise SlideError(f"no associated image {name!r}", path=self.info.path)

    def close(self) -> None:  # noqa: B027 - readers that hold no file need not override it
        """Release the file."""

    def __enter__(self) -> SlideReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def best_level(self, downsample: float) -> int:
        """The coarsest level that is still at least as fine as `downsample` (never upsampled)."""
        fine_enough = [i for i, d in enumerate(self.info.level_downsamples) if d <= downsample * 1.001]
        return max(fine_enough, key=lambda i: self.info.level_downsamples[i]) if fine_enough else 0

    def thumbnail(self, downsample: float) -> tuple[np.ndarray, float]:
        """The whole slide shrunk `downsample` times (at least 1), and its exact downsample from level 0.

        Read from the coarsest level fine enough, in bands of rows, so that memory holds one band and the
        thumbnail, whatever the slide's size.
        """
        import cv2

        width, height = self.info.dimensions
        downsample = max(1.0, downsample)
        size = (max(1, round(width / downsample)), max(1, round(height / downsample)))
        level = self.best_level(downsample)
        level_width, level_height = self.info.level_dimensions[level]
        level_scale = self.info.level_downsamples[level]
        band = max(1, round(downsample / level_scale)) * THUMBNAIL_BAND_ROWS  # level rows per band, whole out rows
        out = np.empty((size[1], size[0], 3), np.uint8)
        for top in range(0, level_height, band):
            rows = min(band, level_height - top)
            pixels = self.read_region(level, (0, round(top * level_scale)), (level_width, rows))
            first, last = round(top * size[1] / level_height), round((top + rows) * size[1] / level_height)
            if last > first:
                out[first:last] = cv2.resize(pixels, (size[0], last - first), interpolation=cv2.INTER_AREA)
        return out, width / size[0]


def _white_padded(
    array: np.ndarray, location: tuple[int, int], size: tuple[int, int], scale: float, shape
) -> np.ndarray:
    """The part of a level array `array` (H, W, 3) that a region covers, white where it falls outside."""
    width, height = size
    out = np.full((height, width, 3), 255, np.uint8)
    x, y = math.floor(location[0] / scale), math.floor(location[1] / scale)
    x0, y0, x1, y1 = max(0, x), max(0, y), min(shape[1], x + width), min(shape[0], y + height)
    if x1 > x0 and y1 > y0:
        out[y0 - y : y1 - y, x0 - x : x1 - x] = np.asarray(array[y0:y1, x0:x1])[..., :3]
    return out


class OpenSlideReader(SlideReader):
    """Aperio SVS, Hamamatsu NDPI, 3DHISTECH MRXS, Leica SCN, Ventana, generic tiled TIFF: OpenSlide's formats."""

    def __init__(self, path: Path) -> None:
        import openslide

        try:
            self.slide = openslide.OpenSlide(str(path))
        except (openslide.OpenSlideError, OSError) as exc:
            raise SlideError(f"OpenSlide cannot read it: {exc}", path=path) from None
        props = self.slide.properties
        mpp_x = props.get(openslide.PROPERTY_NAME_MPP_X)
        power = props.get(openslide.PROPERTY_NAME_OBJECTIVE_POWER)
        self.info = SlideInfo(
            path=path,
            reader="openslide",
            vendor=props.get(openslide.PROPERTY_NAME_VENDOR, "unknown"),
            level_dimensions=tuple(self.slide.level_dimensions),
            level_downsamples=tuple(float(d) for d in self.slide.level_downsamples),
            mpp=float(mpp_x) if mpp_x else None,
            objective_power=float(power) if power else None,
            associated=tuple(sorted(self.slide.associated_images)),
        )

    def read_region(self, level: int, location: tuple[int, int], size: tuple[int, int]) -> np.ndarray:
        import openslide

        try:
            rgba = np.asarray(self.slide.read_region(location, level, size))
        except openslide.OpenSlideError as exc:
            raise SlideError(f"cannot read a region (truncated or corrupt?): {exc}", path=self.info.path) from None
        rgb, alpha = rgba[..., :3], rgba[..., 3:4]
        if alpha.min() == 255:
            return np.ascontiguousarray(rgb)
        # transparent outside the scanned area: composite on white (integer arithmetic, no float copy)
        return ((rgb.astype(np.uint16) * alpha + 255 * (255 - alpha.astype(np.uint16)) + 127) // 255).astype(np.uint8)

    def associated_image(self, name: str) -> np.ndarray:
        if name not in self.slide.associated_images:
            return super().associated_image(name)
        return np.asarray(self.slide.associated_images[name].convert("RGB"))

    def close(self) -> None:
        self.slide.close()


class TiffSlideReader(SlideReader):
    """Pyramidal TIFF and OME-TIFF through tifffile, read region by region (zarr), never whole."""

    def __init__(self, path: Path) -> None:
        import tifffile
        import zarr

        try:
            self.tiff = tifffile.TiffFile(path)
            series = self.tiff.series[0]
            self.levels = [zarr.open(series.aszarr(level=i), mode="r") for i in range(len(series.levels))]
        except Exception as exc:  # tifffile raises many types for a file that is not a readable TIFF
            raise SlideError(f"not a readable TIFF: {exc}", path=path) from None
        shapes = [level.shape for level in self.levels]
        if any(len(shape) != 3 or shape[2] not in (3, 4) for shape in shapes):
            raise SlideError(f"not an RGB slide (shapes {shapes})", path=path, fix="give an RGB brightfield slide")
        dims = tuple((int(s[1]), int(s[0])) for s in shapes)
        self.info = SlideInfo(
            path=path,
            reader="tiff",
            vendor="ome-tiff" if self.tiff.is_ome else "generic-tiff",
            level_dimensions=dims,
            level_downsamples=tuple(dims[0][0] / d[0] for d in dims),
            mpp=self._mpp(),
        )

    def _mpp(self) -> float | None:
        """Pixel size from OME metadata (PhysicalSizeX), else from the TIFF resolution tags."""
        if self.tiff.is_ome:
            import re

            found = re.search(r'PhysicalSizeX="([0-9.eE+-]+)"', self.tiff.ome_metadata or "")
            unit = re.search(r'PhysicalSizeXUnit="([^"]+)"', self.tiff.ome_metadata or "")
            if found and (unit is None or unit[1] in ("µm", "um", "micron")):
                return float(found[1])
        page = self.tiff.pages[0]
        tags = page.tags
        if "XResolution" in tags and "ResolutionUnit" in tags:
            numerator, denominator = tags["XResolution"].value
            unit = tags["ResolutionUnit"].value
            per_unit = UM_PER_UNIT.get(getattr(unit, "name", str(unit)))
            if per_unit and numerator and denominator:
                return per_unit * denominator / numerator
        return None

    def read_region(self, level: int, location: tuple[int, int], size: tuple[int, int]) -> np.ndarray:
        array = self.levels[level]
        try:
            return _white_padded(array, location, size, self.info.level_downsamples[level], array.shape)
        except Exception as exc:  # a truncated tile surfaces as a codec or index error
            raise SlideError(f"cannot read a region (truncated or corrupt?): {exc}", path=self.info.path) from None

    def close(self) -> None:
        self.tiff.close()


class PlainImageReader(SlideReader):
    """A large plain PNG, JPEG or TIFF: one level, decoded once."""

    def __init__(self, path: Path) -> None:
        from unetops.imageio import image_to_uint8, read_image
        from unetops.imageio.color import to_color_model
        from unetops.imageio.types import ColorModel

        self.pixels = to_color_model(image_to_uint8(read_image(path)), ColorModel.rgb)
        height, width = self.pixels.shape[:2]
        self.info = SlideInfo(path, "image", path.suffix.lstrip(".").lower(), ((width, height),), (1.0,), None)

    def read_region(self, level: int, location: tuple[int, int], size: tuple[int, int]) -> np.ndarray:
        return _white_padded(self.pixels, location, size, 1.0, self.pixels.shape)


def open_slide(path: Path) -> SlideReader:
    """The reader for `path`: tifffile for OME-TIFF, OpenSlide for what it knows, tifffile for other TIFFs,
    Pillow for plain images.

    Raises:
        SlideError: the file is missing, unreadable or truncated (the message names it and why).
    """
    if not path.is_file():
        raise SlideError("slide not found", path=path, fix="check the path")
    if path.suffix.lower() in TIFF_SUFFIXES and _is_ome(path):
        return TiffSlideReader(path)
    import openslide

    if openslide.OpenSlide.detect_format(str(path)) is not None:
        return OpenSlideReader(path)
    if path.suffix.lower() in TIFF_SUFFIXES:
        return TiffSlideReader(path)
    return PlainImageReader(path)


def _is_ome(path: Path) -> bool:
    import tifffile

    try:
        with tifffile.TiffFile(path) as tiff:
            return bool(tiff.is_ome)
    except Exception:  # not a TIFF tifffile reads: let the other readers say why
        return False
