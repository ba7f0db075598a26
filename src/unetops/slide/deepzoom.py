"""Deep Zoom tiles (OpenSeadragon's format) of any slide the readers open, cut by OpenSlide's
`DeepZoomGenerator` over a reader: OpenSlide's formats, OME-TIFF and plain large images alike."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from unetops.slide.readers import SlideError, SlideReader

TILE_SIZE, OVERLAP = 254, 1  # OpenSeadragon's defaults: 256-pixel tiles with their one-pixel overlap
JPEG_QUALITY = 85


def _as_openslide(reader: SlideReader) -> Any:
    """`reader` behind OpenSlide's slide interface, as `DeepZoomGenerator` takes it."""
    import openslide

    class ReaderSlide(openslide.AbstractSlide):
        def __init__(self) -> None:
            self.info = reader.info

        @classmethod
        def detect_format(cls, filename: Any) -> None:
            return None

        def close(self) -> None:
            """The reader is closed by its owner."""

        @property
        def level_count(self) -> int:
            return len(self.info.level_dimensions)

        @property
        def level_dimensions(self) -> tuple[tuple[int, int], ...]:
            return tuple(tuple(d) for d in self.info.level_dimensions)

        @property
        def level_downsamples(self) -> tuple[float, ...]:
            return tuple(self.info.level_downsamples)

        @property
        def properties(self) -> dict[str, str]:
            return {}

        @property
        def associated_images(self) -> dict[str, Image.Image]:
            return {}

        @property
        def color_profile(self) -> None:
            return None

        def get_best_level_for_downsample(self, downsample: float) -> int:
            return reader.best_level(downsample)

        def read_region(self, location: tuple[int, int], level: int, size: tuple[int, int]) -> Image.Image:
            return Image.fromarray(reader.read_region(level, location, size)).convert("RGBA")

        def set_cache(self, cache: Any) -> None:
            """The reader keeps its own cache."""

    return ReaderSlide()


class DeepZoom:
    """The Deep Zoom pyramid of an open slide: its DZI description and its JPEG tiles."""

    def __init__(self, reader: SlideReader) -> None:
        from openslide.deepzoom import DeepZoomGenerator

        self.reader = reader
        self.generator = DeepZoomGenerator(_as_openslide(reader), tile_size=TILE_SIZE, overlap=OVERLAP)

    def dzi(self) -> str:
        """The DZI XML that a viewer opens the slide with."""
        return self.generator.get_dzi("jpeg")

    def tile(self, level: int, column: int, row: int) -> bytes:
        """One tile as JPEG.

        Raises:
            SlideError: there is no such tile.
        """
        try:
            image = self.generator.get_tile(level, (column, row))
        except ValueError as exc:
            raise SlideError(f"no tile {level}/{column}_{row}: {exc}", path=self.reader.info.path) from None
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=JPEG_QUALITY)
        return buffer.getvalue()
