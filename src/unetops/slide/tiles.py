"""The analysis grid: tiles of a slide at the model's resolution, each a core plus a margin of context."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from unetops.slide.readers import SlideReader


@dataclass(frozen=True)
class Tile:
    """One tile, in analysis pixels (the model's resolution): its core and the region read around it."""

    index: int
    row: int
    column: int
    x: int  # core's top-left, analysis pixels
    y: int
    size: int  # core side
    margin: int

    @property
    def region(self) -> tuple[int, int, int]:
        """(x, y, side) of the region read: the core and its margin."""
        return self.x - self.margin, self.y - self.margin, self.size + 2 * self.margin


@dataclass(frozen=True)
class TileGrid:
    """Tiles covering a slide at `mpp` (analysis resolution); `scale` = level-0 pixels per analysis pixel."""

    width: int
    height: int
    mpp: float
    scale: float
    size: int
    margin: int

    @classmethod
    def for_slide(cls, reader: SlideReader, mpp0: float, mpp: float, size: int, margin: int) -> TileGrid:
        scale = mpp / mpp0
        width, height = reader.info.dimensions
        return cls(math.ceil(width / scale), math.ceil(height / scale), mpp, scale, size, margin)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return math.ceil(self.height / self.size), math.ceil(self.width / self.size)

    def tiles(self) -> Iterator[Tile]:
        rows, columns = self.shape
        for row in range(rows):
            for column in range(columns):
                yield Tile(row * columns + column, row, column, column * self.size, row * self.size, self.size,
                           self.margin)  # fmt: skip

    def covers(self, tile: Tile, mask: np.ndarray, mask_scale: float) -> bool:
        """Whether `mask` (level-0 pixels per mask pixel: `mask_scale`) has any True pixel in the tile's core."""
        factor = self.scale / mask_scale
        top, left = int(tile.y * factor), int(tile.x * factor)
        bottom, right = math.ceil((tile.y + tile.size) * factor), math.ceil((tile.x + tile.size) * factor)
        return bool(mask[top:bottom, left:right].any())

    def read(self, reader: SlideReader, tile: Tile) -> np.ndarray:
        """The tile's region (core and margin) at the analysis resolution, RGB uint8, white outside the slide."""
        x, y, side = tile.region
        level = reader.best_level(self.scale)
        level_scale = self.scale / reader.info.level_downsamples[level]  # level pixels per analysis pixel
        location = (round(x * self.scale), round(y * self.scale))
        size = (max(1, round(side * level_scale)),) * 2
        pixels = reader.read_region(level, location, size)
        if size[0] == side:
            return pixels
        interpolation = cv2.INTER_AREA if size[0] > side else cv2.INTER_LINEAR
        return cv2.resize(pixels, (side, side), interpolation=interpolation)
