"""`write_synthetic_slide`: a pyramidal whole-slide image of synthetic IHC tissue with exact nucleus truth.

Tissue is a few ellipses (about 40% of the slide) tiled with synthetic IHC tiles; the rest is white glass.
A planted hot spot (a square region) has a much higher positive fraction. The slide is written tile by
tile (never whole in memory) as an Aperio-like SVS (OpenSlide reads it) or an OME-TIFF, with the pixel size
in its metadata and levels at downsamples 1, 4 and 16; the truth is a tiled binary mask TIFF at level 0
and one row per nucleus (slide coordinates, positive or not).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from unetops.fileio import TEMPORARY_SUFFIX, atomic_write_text
from unetops.sample.artefacts import SlideArtefacts
from unetops.sample.source import Look
from unetops.sample.synthetic_ihc import synthetic_ihc_tile
from unetops.sample.tissue import Marker, StainDraw, tissue_tile

TILE = 256
DOWNSAMPLES = (1, 4, 16)
Format = Literal["svs", "ome-tiff"]


@dataclass
class SyntheticSlide:
    """What `write_synthetic_slide` wrote, and the truth."""

    path: Path
    truth_mask: Path
    truth_nuclei: Path
    width: int
    height: int
    mpp: float
    hotspot: tuple[int, int, int, int]  # x, y, width, height in level-0 pixels
    tissue_tiles: int = 0
    nuclei: int = 0
    positive: int = 0
    hotspot_nuclei: int = 0
    hotspot_positive: int = 0
    tumour_nuclei: int = 0
    tumour_positive: int = 0
    marker: str = "ki67"
    artefact_nuclei: int = 0  # nuclei under the fold, bubble or pen mark
    artefacts: SlideArtefacts | None = field(default=None, repr=False)  # where they are drawn
    rows: list[tuple[float, float, int, str, int | str, int]] = field(default_factory=list, repr=False)

    @property
    def ki67_index(self) -> float:
        return 100.0 * self.positive / self.nuclei if self.nuclei else 0.0

    @property
    def tumour_index(self) -> float:
        """The index over tumour nuclei alone (what the guidelines count)."""
        return 100.0 * self.tumour_positive / self.tumour_nuclei if self.tumour_nuclei else 0.0

    @property
    def hotspot_index(self) -> float:
        return 100.0 * self.hotspot_positive / self.hotspot_nuclei if self.hotspot_nuclei else 0.0


def _tissue_layout(rng: np.random.Generator, columns: int, rows: int) -> np.ndarray:
    """Which tiles hold tissue: a union of ellipses covering about 40% of the tile grid."""
    grid = np.zeros((rows, columns), np.uint8)
    yy, xx = np.mgrid[:rows, :columns]
    for _ in range(3):
        cy, cx = rng.uniform(0.25, 0.75) * rows, rng.uniform(0.2, 0.8) * columns
        ry, rx = rng.uniform(0.22, 0.32) * rows, rng.uniform(0.18, 0.28) * columns
        grid[((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1] = 1
    return grid.astype(bool)


def _glass(rng: np.random.Generator) -> np.ndarray:
    return (244 + rng.integers(0, 8, (TILE, TILE, 3))).astype(np.uint8)


def write_synthetic_slide(
    path: Path,
    *,
    width: int = 4096,
    height: int = 3072,
    mpp: float = 0.5,
    seed: int = 0,
    fmt: Format = "svs",
    nuclei_per_tile: int = 60,
    positive_fraction: float = 0.15,
    hotspot_fraction: float = 0.7,
    hotspot_side: int = 1024,
    look: Look = "tissue",
    marker: Marker = "ki67",
    artefacts: bool = True,
) -> SyntheticSlide:
    """Write a synthetic slide to `path` (and `<stem>_truth_mask.tif`, `<stem>_truth_nuclei.csv` beside it).

    Args:
        width, height: level-0 size in pixels (multiples of 256).
        mpp: micrometres per pixel at level 0, recorded in the file.
        seed: the same seed gives the same slide.
        fmt: `svs` (Aperio-like, read by OpenSlide) or `ome-tiff` (read by tifffile).
        nuclei_per_tile: nuclei attempted per 256 x 256 tissue tile.
        positive_fraction, hotspot_fraction: probability that a nucleus is positive, outside and inside the
            planted hot spot.
        hotspot_side: side of the planted hot spot in level-0 pixels (placed on tissue).
        look: `tissue` (`tissue_tile` under one stain draw for the slide; `nuclei_per_tile` unused) or `simple`.
        marker: the tissue look's marker (her2: membranes scored 0-3 per cell, in the truth's `membrane_score`).
        artefacts: with the tissue look, a fold, an air bubble and a pen mark over the tissue (`SlideArtefacts`);
            the truth's `artefact` column marks the nuclei they cover.
    """
    import tifffile

    columns, rows = width // TILE, height // TILE
    rng = np.random.default_rng(seed)
    tissue = _tissue_layout(rng, columns, rows)
    stain = StainDraw.draw(np.random.default_rng([seed, 1]))
    tissue_cells = np.argwhere(tissue)
    centre = tissue_cells[len(tissue_cells) // 2]  # a tissue tile near the middle of the tissue
    side = hotspot_side // TILE
    top, left = max(0, centre[0] - side // 2), max(0, centre[1] - side // 2)
    hot = np.zeros_like(tissue)
    hot[top : top + side, left : left + side] = True
    hot &= tissue
    slide = SyntheticSlide(
        path,
        path.with_name(f"{path.stem}_truth_mask.tif"),
        path.with_name(f"{path.stem}_truth_nuclei.csv"),
        width,
        height,
        mpp,
        (int(left) * TILE, int(top) * TILE, side * TILE, side * TILE),
        marker=marker if look == "tissue" else "ki67",
    )
    rows_on, cols_on = np.nonzero(tissue)
    box = (int(cols_on.min()) * TILE, int(rows_on.min()) * TILE, int(np.ptp(cols_on) + 1) * TILE,
           int(np.ptp(rows_on) + 1) * TILE)  # fmt: skip
    laid = SlideArtefacts.draw(np.random.default_rng([seed, 2]), box, mpp) if artefacts and look == "tissue" else None
    slide.artefacts = laid
    reduced = [np.zeros((height // d, width // d, 3), np.uint8) for d in DOWNSAMPLES[1:]]
    masks: dict[tuple[int, int], np.ndarray] = {}

    def tiles() -> Iterator[np.ndarray]:
        for row in range(rows):
            for column in range(columns):
                tile_rng = np.random.default_rng([seed, row, column])
                if tissue[row, column]:
                    fraction = hotspot_fraction if hot[row, column] else positive_fraction
                    if look == "tissue":
                        drawn = tissue_tile(tile_rng, mpp=mpp, positive_fraction=fraction, stain=stain, marker=marker)
                    else:
                        drawn = synthetic_ihc_tile(
                            tile_rng, nuclei=nuclei_per_tile, positive_fraction=fraction, radius=(4.0, 7.5)
                        )
                    pixels, masks[row, column] = drawn.image, drawn.mask
                    covered = np.zeros(pixels.shape[:2], bool)
                    if laid is not None:
                        pixels, covered = laid.apply(pixels, column * TILE, row * TILE)
                    slide.tissue_tiles += 1
                    for nucleus in drawn.nuclei:
                        x, y = column * TILE + nucleus.centroid_x, row * TILE + nucleus.centroid_y
                        score = "" if nucleus.membrane_score is None else nucleus.membrane_score
                        under = int(covered[int(nucleus.centroid_y), int(nucleus.centroid_x)])
                        slide.artefact_nuclei += under
                        slide.rows.append((x, y, int(nucleus.positive), nucleus.cell_class, score, under))
                        slide.nuclei += 1
                        slide.positive += nucleus.positive
                        slide.tumour_nuclei += nucleus.cell_class == "tumour"
                        slide.tumour_positive += nucleus.positive and nucleus.cell_class == "tumour"
                        if hot[row, column]:
                            slide.hotspot_nuclei += 1
                            slide.hotspot_positive += nucleus.positive
                else:
                    pixels = _glass(tile_rng)
                    if laid is not None:  # a pen mark goes on over the glass
                        pixels = laid.apply(pixels, column * TILE, row * TILE)[0]
                for level, downsample in zip(reduced, DOWNSAMPLES[1:], strict=True):
                    small = cv2.resize(pixels, (TILE // downsample, TILE // downsample), interpolation=cv2.INTER_AREA)
                    y, x = row * TILE // downsample, column * TILE // downsample
                    level[y : y + small.shape[0], x : x + small.shape[1]] = small
                yield pixels

    def mask_tiles() -> Iterator[np.ndarray]:
        for row in range(rows):
            for column in range(columns):
                mask = masks.get((row, column))
                yield np.zeros((TILE, TILE), np.uint8) if mask is None else np.where(mask, 255, 0).astype(np.uint8)

    resolution = (1e4 / mpp, 1e4 / mpp)
    shape = (height, width, 3)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = path.with_name(f".{path.name}{TEMPORARY_SUFFIX}")  # renamed into place when complete
    if fmt == "svs":
        description = (
            f"Aperio Image Library v12.0.5\n{width}x{height} [0,0 {width}x{height}] ({TILE}x{TILE}) JPEG/RGB Q=90"
            f"|AppMag = {round(10 / mpp)}|MPP = {mpp}"
        )
        with tifffile.TiffWriter(written, bigtiff=True) as writer:
            writer.write(tiles(), shape=shape, dtype=np.uint8, tile=(TILE, TILE), photometric="rgb",
                         compression="jpeg", description=description, resolution=resolution,
                         resolutionunit="CENTIMETER", metadata=None)  # fmt: skip
            for level in reduced:
                writer.write(level, tile=(TILE, TILE), photometric="rgb", compression="jpeg",
                             description=description, metadata=None)  # fmt: skip
    else:
        metadata = {"PhysicalSizeX": mpp, "PhysicalSizeY": mpp, "PhysicalSizeXUnit": "µm", "PhysicalSizeYUnit": "µm"}
        with tifffile.TiffWriter(written, bigtiff=True, ome=True) as writer:
            writer.write(tiles(), shape=shape, dtype=np.uint8, tile=(TILE, TILE), photometric="rgb",
                         compression="zlib", subifds=len(reduced), metadata=metadata, resolution=resolution,
                         resolutionunit="CENTIMETER")  # fmt: skip
            for level, downsample in zip(reduced, DOWNSAMPLES[1:], strict=True):
                writer.write(level, tile=(TILE, TILE), photometric="rgb", compression="zlib", subfiletype=1,
                             resolution=(resolution[0] / downsample, resolution[1] / downsample),
                             resolutionunit="CENTIMETER")  # fmt: skip
    written.replace(path)
    truth_written = slide.truth_mask.with_name(f".{slide.truth_mask.name}{TEMPORARY_SUFFIX}")
    tifffile.imwrite(truth_written, mask_tiles(), shape=(height, width), dtype=np.uint8, tile=(TILE, TILE),
                     compression="zlib", resolution=resolution, resolutionunit="CENTIMETER")  # fmt: skip
    truth_written.replace(slide.truth_mask)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["x", "y", "positive", "class", "membrane_score", "artefact"])
    writer.writerows((round(x, 2), round(y, 2), *rest) for x, y, *rest in slide.rows)
    atomic_write_text(slide.truth_nuclei, buffer.getvalue())
    return slide
