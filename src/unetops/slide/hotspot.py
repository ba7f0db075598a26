"""The Ki-67 hot spot: the field of a given area with the highest positive fraction among fields holding enough
nuclei, found on count maps of positive and all nuclei; and the local-index heatmap it is read from."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np

HPF_AREA_MM2 = 0.2  # a x40 high-power field: about 0.2 mm2 (field number 20-22)
CELLS_PER_SIDE = 8  # the field moves in steps of 1/8 of its side
HEAT_ALPHA = 0.55  # opacity of the heatmap's colours over the slide


@dataclass(frozen=True)
class HotSpot:
    """A square field in level-0 pixels, and what it holds."""

    x: int
    y: int
    width: int
    height: int
    nuclei: int
    positive: int
    index: float
    area_mm2: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FieldCounts:
    """Nuclei and positive nuclei in every field position (a field of `cells` x `cells` cells of `cell` px)."""

    nuclei: np.ndarray
    positive: np.ndarray
    cell: float
    cells: int


def field_counts(
    x: np.ndarray, y: np.ndarray, positive: np.ndarray, size: tuple[int, int], field_side: float
) -> FieldCounts:
    """Counts of every square field of side `field_side` (level-0 px) placed on a grid of 1/8 of its side."""
    cell = field_side / CELLS_PER_SIDE
    columns, rows = max(1, math.ceil(size[0] / cell)), max(1, math.ceil(size[1] / cell))
    ranges = [[0, rows * cell], [0, columns * cell]]
    every, _, _ = np.histogram2d(y, x, bins=[rows, columns], range=ranges)
    stained, _, _ = np.histogram2d(y[positive], x[positive], bins=[rows, columns], range=ranges)

    def window_sums(counts: np.ndarray) -> np.ndarray:
        k = min(CELLS_PER_SIDE, rows, columns)
        table = np.pad(counts, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
        return table[k:, k:] - table[:-k, k:] - table[k:, :-k] + table[:-k, :-k]

    return FieldCounts(window_sums(every), window_sums(stained), cell, min(CELLS_PER_SIDE, rows, columns))


def find_hotspot(
    x: np.ndarray,
    y: np.ndarray,
    positive: np.ndarray,
    size: tuple[int, int],
    mpp: float,
    *,
    area_mm2: float = HPF_AREA_MM2,
    min_nuclei: int = 500,
) -> HotSpot | None:
    """The field of `area_mm2` with the highest index among those with at least `min_nuclei` nuclei (ties: the
    one with more nuclei); None when no field holds enough nuclei.

    Args:
        x, y, positive: nucleus centroids (level-0 px) and calls.
        size: the slide's (width, height) in level-0 px.
        mpp: micrometres per level-0 pixel.
    """
    counts = field_counts(x, y, positive, size, field_side(area_mm2, mpp))
    return best_field(counts, x, y, positive, mpp, min_nuclei)


def field_side(area_mm2: float, mpp: float) -> float:
    """The side, in level-0 px, of a square field of `area_mm2`."""
    return math.sqrt(area_mm2) * 1000 / mpp


def best_field(
    counts: FieldCounts, x: np.ndarray, y: np.ndarray, positive: np.ndarray, mpp: float, min_nuclei: int
) -> HotSpot | None:
    """`find_hotspot` on counts already made (the heatmap reads the same counts): the field is chosen on the
    grid, then reported in whole pixels with the nuclei whose centroids lie in that box, as a viewer counts the
    hot-spot annotation's."""
    enough = counts.nuclei >= min_nuclei
    if not enough.any():
        return None
    index = np.where(enough, counts.positive / np.maximum(counts.nuclei, 1), -1.0)
    best = np.lexsort((counts.nuclei.ravel(), index.ravel()))[-1]
    row, column = np.unravel_index(best, index.shape)
    left, top, side = round(column * counts.cell), round(row * counts.cell), round(counts.cell * counts.cells)
    inside = (x >= left) & (x < left + side) & (y >= top) & (y < top + side)
    nuclei, stained = int(inside.sum()), int((inside & positive).sum())
    return HotSpot(
        left, top, side, side, nuclei, stained, 100.0 * stained / nuclei if nuclei else 0.0, (side * mpp / 1000) ** 2
    )


def heat_layers(
    counts: FieldCounts, tissue: np.ndarray, thumb_scale: float, min_nuclei: int
) -> tuple[np.ndarray, np.ndarray]:
    """The local index (each field's positive fraction, where it holds at least `min_nuclei` / 4 nuclei) on the
    thumbnail's grid, over the analysed `tissue` only: its colour, from blue (0%) to red (100%), and where it
    is shown (uint8 0/1). A field's value belongs at its centre; the half field along the slide's edges, where
    no field is centred, takes the nearest field's."""
    index = np.where(counts.nuclei >= max(1, min_nuclei // 4), counts.positive / np.maximum(counts.nuclei, 1), np.nan)
    before, after = counts.cells // 2, counts.cells - 1 - counts.cells // 2
    full = np.pad(index, ((before, after), (before, after)), mode="edge")  # one value per cell
    height, width = tissue.shape
    size = (round(full.shape[1] * counts.cell / thumb_scale), round(full.shape[0] * counts.cell / thumb_scale))
    values = np.nan_to_num(full, nan=-1.0)
    # coloured on the field grid, then enlarged: only uint8 images at the thumbnail's size
    colours = cv2.applyColorMap((np.clip(values, 0, 1) * 255).astype(np.uint8), cv2.COLORMAP_JET)[..., ::-1]
    layers = [np.ascontiguousarray(colours), (values >= 0).astype(np.uint8)]
    colour, shown = (_on_canvas(cv2.resize(layer, size, interpolation=cv2.INTER_NEAREST), height, width)
                     for layer in layers)  # fmt: skip
    return colour, shown * (tissue > 0)


def heatmap(thumbnail: np.ndarray, colour: np.ndarray, shown: np.ndarray, alpha: float = HEAT_ALPHA) -> np.ndarray:
    """The heat layers (`heat_layers`) blended over the thumbnail where they are shown."""
    blended = cv2.addWeighted(colour, alpha, thumbnail, 1 - alpha, 0)
    return np.where(shown[..., None] > 0, blended, thumbnail)


def _on_canvas(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """`image` cropped or zero-padded to height x width."""
    canvas = np.zeros((height, width, *image.shape[2:]), image.dtype)
    crop = image[:height, :width]
    canvas[: crop.shape[0], : crop.shape[1]] = crop
    return canvas
