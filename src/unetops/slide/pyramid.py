"""Slide-sized images as tiled, pyramidal OME-TIFFs written tile by tile: the nucleus mask, and the nuclei as
instance labels drawn from their outlines."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pyarrow.parquet as pq

from unetops.fileio import TEMPORARY_SUFFIX
from unetops.slide.tiles import TileGrid

DOWNSAMPLES = (4, 16)  # sub-resolution levels, as scanners write them


def write_pyramid(
    path: Path, grid: TileGrid, core_tile: Callable[[int], np.ndarray | None], *, labels: bool = False
) -> None:
    """Write one image of the analysis grid as an OME-TIFF with levels at 1, 1/4 and 1/16.

    Args:
        path: the file to write (atomically).
        grid: the analysis grid; the image is `rows * size` by `columns * size` pixels.
        core_tile: a tile index's core (size x size), or None for a tile not analysed (zeros).
        labels: instance labels (uint32; the reduced levels pick labels, never mix them), else a uint8 mask
            (reduced levels averaged).
    """
    import tifffile

    rows, columns = grid.shape
    side = grid.size
    shape = (rows * side, columns * side)
    dtype = np.uint32 if labels else np.uint8
    reduce = cv2.INTER_NEAREST if labels else cv2.INTER_AREA
    reduced = [np.zeros((shape[0] // d, shape[1] // d), dtype) for d in DOWNSAMPLES]

    def tiles() -> Iterator[np.ndarray]:
        for index in range(rows * columns):
            core = core_tile(index)
            core = np.zeros((side, side), dtype) if core is None else core.astype(dtype, copy=False)
            row, column = divmod(index, columns)
            for level, downsample in zip(reduced, DOWNSAMPLES, strict=True):
                small = cv2.resize(core.view(np.int32) if labels else core, (side // downsample,) * 2,
                                   interpolation=reduce)  # fmt: skip
                top, left = row * side // downsample, column * side // downsample
                level[top : top + small.shape[0], left : left + small.shape[1]] = small.view(dtype)
            yield core

    metadata = {"PhysicalSizeX": grid.mpp, "PhysicalSizeY": grid.mpp, "PhysicalSizeXUnit": "µm",
                "PhysicalSizeYUnit": "µm", "Name": "nucleus labels" if labels else "nuclei"}  # fmt: skip
    temporary = path.with_name(f".{path.name}{TEMPORARY_SUFFIX}")
    with tifffile.TiffWriter(temporary, bigtiff=True, ome=True) as writer:
        writer.write(tiles(), shape=shape, dtype=dtype, tile=(side, side), compression="zlib",
                     subifds=len(reduced), metadata=metadata, photometric="minisblack")  # fmt: skip
        for level in reduced:
            writer.write(level, tile=(min(side, 256),) * 2, compression="zlib", subfiletype=1,
                         photometric="minisblack")  # fmt: skip
    temporary.replace(path)


class NucleusLabels:
    """Label tiles (int32) of the analysis grid drawn from `nuclei.parquet`: every nucleus filled whole, with its
    `id`, from its outline. Nuclei are looked up in the row groups of the tile and its eight neighbours (a
    nucleus belongs to the tile holding its centroid and may reach into the next), each row group read once.

    Args:
        nuclei: the slide's nuclei (one row group per analysed tile).
        grid: the analysis grid.
        groups: tile index -> its row group in `nuclei`.
    """

    def __init__(self, nuclei: Path, grid: TileGrid, groups: dict[int, int]) -> None:
        self.file, self.grid, self.groups = pq.ParquetFile(nuclei), grid, groups
        self.cache: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}

    def _group(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(ids, centroids in analysis px, flat outline points in analysis px, outline offsets) of a tile."""
        if index not in self.cache:
            table = self.file.read_row_group(self.groups[index], columns=["id", "x", "y", "contour"])
            outlines = table["contour"].combine_chunks()
            points = outlines.flatten().flatten().to_numpy().reshape(-1, 2) / self.grid.scale
            centres = np.stack([table["x"].to_numpy(), table["y"].to_numpy()], 1) / self.grid.scale
            offsets = outlines.offsets.to_numpy()
            self.cache[index] = (table["id"].to_numpy(), centres, points, offsets - offsets[0])
        return self.cache[index]

    def __call__(self, index: int) -> np.ndarray | None:
        rows, columns = self.grid.shape
        row, column = divmod(index, columns)
        for old in [i for i in self.cache if i // columns < row - 1]:  # rows above the previous: done with
            del self.cache[old]
        side, margin = self.grid.size, self.grid.margin
        neighbours = [r * columns + c for r in range(row - 1, row + 2) for c in range(column - 1, column + 2)
                      if 0 <= r < rows and 0 <= c < columns and r * columns + c in self.groups]  # fmt: skip
        if not neighbours:
            return None
        out = np.zeros((side, side), np.int32)
        origin = np.array([column * side, row * side], float)
        for neighbour in neighbours:
            ids, centres, points, offsets = self._group(neighbour)
            near = np.all((centres >= origin - margin) & (centres < origin + side + margin), axis=1)
            for k in np.flatnonzero(near):
                outline = np.round(points[offsets[k] : offsets[k + 1]] - origin).astype(np.int32)
                if len(outline):
                    cv2.fillPoly(out, [outline], int(ids[k]))
        return out
