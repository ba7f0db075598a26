"""`write_sample`: a deliberately messy source folder of synthetic IHC tiles, plus the exact truth.

Layout written under OUT:

    source/<marker>/images/slideNN_tileMM.(png|jpg|tif)   images (markers: Ki-67, ER)
    source/<marker>/masks/slideNN_tileMM_mask.png         binary masks
    truth/<marker>/slideNN_tileMM_instances.png           16-bit instance labels
    truth/nuclei.csv, truth/images.csv                    per-nucleus and per-image truth

A few pairs carry planted problems (see `PLANTED_PROBLEMS`) so the health check and the builder have
something real to report.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from PIL import Image

from unetops.fileio import atomic_write_bytes, atomic_write_text
from unetops.imageio import encode_image, encode_labels, encode_mask
from unetops.imageio.read import EXIF_ORIENTATION
from unetops.sample.synthetic_ihc import SyntheticTile, synthetic_ihc_tile
from unetops.sample.tissue import StainDraw, tissue_tile
from unetops.spec.model import ImageType

Look = Literal["tissue", "simple"]

# tile index -> the problem code the health check must report for it
PLANTED_PROBLEMS: dict[int, str] = {
    1: "mask-antialiased",
    2: "mask-not-0-255",
    3: "mask-jpeg",
    4: "image-16bit",
    5: "alpha-channel",
    6: "image-without-mask",
    7: "unreadable",
    8: "size-mismatch",
    9: "empty-mask",
    10: "duplicate",
    11: "mask-rgb",
    12: "exif-rotated",
    13: "color-model-mismatch",
}
ORPHAN_MASK = "Ki-67/masks/slide99_tile01_mask.png"
TILE_SIZES = ((256, 256), (320, 256), (288, 288), (256, 320))
TILES_PER_SLIDE = 4
SAMPLE_MPP = 0.5  # micrometres per pixel of the generated tiles and slides


@dataclass
class SampleSummary:
    """What `write_sample` wrote."""

    source: Path
    truth: Path
    tiles: int
    nuclei: int
    planted: dict[str, str] = field(default_factory=dict)  # source-relative file -> problem code


def _png(image: Image.Image, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, **params)
    return buffer.getvalue()


def encode_tiff(array: np.ndarray) -> bytes:
    """A TIFF of any dtype tifffile writes (16-bit RGB here, which Pillow cannot write)."""
    import tifffile

    buffer = io.BytesIO()
    tifffile.imwrite(buffer, array, photometric="rgb" if array.ndim == 3 else "minisblack")
    return buffer.getvalue()


def _write_pair(index: int, tile: SyntheticTile, image_path: Path, mask_path: Path) -> tuple[Path, Path, Path | None]:
    """Write one pair, applying the planted problem of `index`.

    Returns:
        The image and mask paths written, and the file that carries the planted problem (if any).
    """
    code = PLANTED_PROBLEMS.get(index)
    image_bytes = encode_image(tile.image, ImageType.png)
    mask_bytes = encode_mask(tile.mask, ImageType.png)
    planted_file: Path | None = None
    if code == "mask-antialiased":
        soft = cv2.GaussianBlur(np.where(tile.mask, 255, 0).astype(np.uint8), (3, 3), 0.8)
        mask_bytes, planted_file = encode_image(soft, ImageType.png), mask_path
    elif code == "mask-not-0-255":
        mask_bytes, planted_file = encode_image(tile.mask.astype(np.uint8), ImageType.png), mask_path
    elif code == "mask-jpeg":
        mask_path = mask_path.with_suffix(".jpg")
        mask_bytes, planted_file = encode_image(np.where(tile.mask, 255, 0).astype(np.uint8), ImageType.jpg), mask_path
    elif code == "image-16bit":
        image_path = image_path.with_suffix(".tif")
        image_bytes, planted_file = encode_tiff(tile.image.astype(np.uint16) * 257), image_path
    elif code == "color-model-mismatch":
        grey = cv2.cvtColor(tile.image, cv2.COLOR_RGB2GRAY)
        image_bytes, planted_file = encode_image(grey, ImageType.png), image_path
    elif code == "alpha-channel":
        rgba = np.dstack([tile.image, np.full(tile.mask.shape, 255, np.uint8)])
        image_bytes = _png(Image.fromarray(rgba, "RGBA"), format="PNG")
    elif code == "empty-mask":
        planted_file = mask_path
    elif code == "image-without-mask":
        mask_bytes = None
    elif code == "unreadable":
        image_bytes = image_bytes[: len(image_bytes) // 2]
    elif code == "size-mismatch":
        small = cv2.resize(tile.mask.astype(np.uint8), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_NEAREST) > 0
        mask_bytes, planted_file = encode_mask(small, ImageType.png), mask_path
    elif code == "mask-rgb":
        red = np.zeros((*tile.mask.shape, 3), np.uint8)
        red[tile.mask] = (220, 30, 30)
        mask_bytes, planted_file = encode_image(red, ImageType.png), mask_path
    elif code == "exif-rotated":
        image_path = image_path.with_suffix(".jpg")
        exif = Image.Exif()
        exif[EXIF_ORIENTATION] = 6  # "rotate 90 degrees clockwise to display": store the pixels turned anticlockwise
        turned = Image.fromarray(np.ascontiguousarray(np.rot90(tile.image, k=1)))
        image_bytes = _png(turned, format="JPEG", quality=95, exif=exif.tobytes())
    elif index % 5 == 0:
        image_path = image_path.with_suffix(".jpg")  # a mix of formats, as labs have
        image_bytes = encode_image(tile.image, ImageType.jpg)
    atomic_write_bytes(image_path, image_bytes)
    if mask_bytes is not None:
        atomic_write_bytes(mask_path, mask_bytes)
    return image_path, mask_path, ((planted_file or image_path) if code else None)


def _draw_tile(rng: np.random.Generator, look: Look, index: int, size: tuple[int, int], marker: str, nuclei: int,
               stain: StainDraw) -> SyntheticTile:  # fmt: skip
    """One tile of the sample: tissue (or the simple look), or bare glass where the mask is planted empty."""
    width, height = size
    fraction = float(rng.uniform(0.1, 0.6))
    if PLANTED_PROBLEMS.get(index) == "empty-mask":
        return synthetic_ihc_tile(rng, height=height, width=width, nuclei=0)
    if look == "simple":
        return synthetic_ihc_tile(rng, height=height, width=width, nuclei=nuclei, positive_fraction=fraction)
    key = "ki67" if marker == "Ki-67" else "er"
    return tissue_tile(rng, height=height, width=width, mpp=SAMPLE_MPP, marker=key, positive_fraction=fraction,
                       stain=stain)  # fmt: skip


def write_sample(
    out: Path, *, tiles: int = 24, seed: int = 0, nuclei: int = 40, look: Look = "tissue"
) -> SampleSummary:
    """Write `tiles` synthetic tiles (at least 14 to plant every problem) as a messy source under `out`.

    Args:
        look: `tissue` (`tissue_tile`: cells, stroma, lymphocytes, cytoplasmic and membranous DAB, one stain draw
            per slide of 4 tiles, at 0.5 um/px) or `simple` (round nuclei on a pale background, `nuclei` per tile).

    The same arguments always give the same bytes.
    """
    rng = np.random.default_rng(seed)
    source, truth = out / "source", out / "truth"
    summary = SampleSummary(source, truth, tiles, 0)
    nucleus_rows: list[list] = []
    image_rows: list[list] = []
    for index in range(tiles):
        marker = "Ki-67" if index < (2 * tiles) // 3 else "ER"
        stem = f"slide{index // TILES_PER_SLIDE + 1:02d}_tile{index % TILES_PER_SLIDE + 1:02d}"
        width, height = TILE_SIZES[index % len(TILE_SIZES)]
        if index % TILES_PER_SLIDE == 0:
            stain = StainDraw.draw(rng)  # one lab and scanner per slide
        tile = _draw_tile(rng, look, index, (width, height), marker, nuclei, stain)
        image_path = source / marker / "images" / f"{stem}.png"
        mask_path = source / marker / "masks" / f"{stem}_mask.png"
        image_path, mask_path, planted = _write_pair(index, tile, image_path, mask_path)
        if planted is not None:
            summary.planted[planted.relative_to(source).as_posix()] = PLANTED_PROBLEMS[index]
        atomic_write_bytes(truth / marker / f"{stem}_instances.png", encode_labels(tile.instances))
        image_rows.append(
            [
                marker,
                stem,
                width,
                height,
                len(tile.nuclei),
                sum(n.positive for n in tile.nuclei),
                round(tile.ki67_index, 4),
                round(tile.tumour_index, 4),
            ]
        )
        nucleus_rows.extend(
            [
                marker,
                stem,
                n.label,
                n.cell_class,
                int(n.positive),
                n.dab_od,
                n.area,
                round(n.centroid_x, 2),
                round(n.centroid_y, 2),
            ]
            for n in tile.nuclei
        )
        summary.nuclei += len(tile.nuclei)
        if PLANTED_PROBLEMS.get(index) == "duplicate":
            twin = f"slide{tiles // TILES_PER_SLIDE + 2:02d}_tile01"
            twin_image = image_path.with_stem(twin)
            atomic_write_bytes(twin_image, image_path.read_bytes())
            atomic_write_bytes(mask_path.with_stem(f"{twin}_mask"), mask_path.read_bytes())
            summary.planted[twin_image.relative_to(source).as_posix()] = "duplicate"
    orphan = synthetic_ihc_tile(rng, height=256, width=256, nuclei=nuclei)
    atomic_write_bytes(source / ORPHAN_MASK, encode_mask(orphan.mask, ImageType.png))
    summary.planted[ORPHAN_MASK] = "mask-without-image"
    _write_csv(
        truth / "images.csv",
        ["marker", "stem", "width", "height", "nuclei", "positive", "ki67_index", "tumour_index"],
        image_rows,
    )
    _write_csv(
        truth / "nuclei.csv",
        ["marker", "stem", "label", "class", "positive", "dab_od", "area", "centroid_x", "centroid_y"],
        nucleus_rows,
    )
    return summary


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    atomic_write_text(path, buffer.getvalue())
