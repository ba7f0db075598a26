"""The nucleus mask of a slide as a tiled, pyramidal OME-TIFF, written tile by tile from the analysed tiles."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np

from unetops.fileio import TEMPORARY_SUFFIX
from unetops.slide.tiles import TileGrid

DOWNSAMPLES = (4, 16)  # sub-resolution levels, as scanners write them


def write_mask_pyramid(path: Path, grid: TileGrid, core_mask: Callable[[int], np.ndarray | None]) -> None:
    """Write the mask (0/255 at the analysis resolution) as an OME-TIFF with levels at 1, 1/4 and 1/16.

    Args:
        path: the file to write (atomically).
        grid: the analysis grid; the image is `rows * size` by `columns * size` pixels.
        core_mask: a tile index's core mask (size x size uint8), or None for a tile not analysed (no tissue).
    """
    import tifffile

    rows, columns = grid.shape
    side = grid.size
    shape = (rows * side, columns * side)
    reduced = [np.zeros((shape[0] // d, shape[1] // d), np.uint8) for d in DOWNSAMPLES]

    def tiles() -> Iterator[np.ndarray]:
        for index in range(rows * columns):
            mask = core_mask(index)
            if mask is None:
                mask = np.zeros((side, side), np.uint8)
            row, column = divmod(index, columns)
            for level, downsample in zip(reduced, DOWNSAMPLES, strict=True):
                small = cv2.resize(mask, (side // downsample, side // downsample), interpolation=cv2.INTER_AREA)
                top, left = row * side // downsample, column * side // downsample
                level[top : top + small.shape[0], left : left + small.shape[1]] = small
            yield mask

    metadata = {"PhysicalSizeX": grid.mpp, "PhysicalSizeY": grid.mpp, "PhysicalSizeXUnit": "µm",
                "PhysicalSizeYUnit": "µm", "Name": "nuclei"}  # fmt: skip
    temporary = path.with_name(f".{path.name}{TEMPORARY_SUFFIX}")
    with tifffile.TiffWriter(temporary, bigtiff=True, ome=True) as writer:
        writer.write(tiles(), shape=shape, dtype=np.uint8, tile=(side, side), compression="zlib",
                     subifds=len(reduced), metadata=metadata, photometric="minisblack")  # fmt: skip
        for level in reduced:
            writer.write(level, tile=(min(side, 256),) * 2, compression="zlib", subfiletype=1,
                         photometric="minisblack")  # fmt: skip
    temporary.replace(path)
