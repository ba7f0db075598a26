"""`quantify_slide`: every nucleus of a whole slide, its Ki-67 index, H-score, Allred score and hot spot.

The slide is read tile by tile at the analysis resolution (the model's pixel size), tissue tiles only; each
finished tile is kept in a work folder beside the output, so a killed run resumes without redoing it. The
outputs appear together, by one rename, only when the slide is complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from unetops import __version__
from unetops.fileio import (
    TEMPORARY_SUFFIX,
    atomic_directory,
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
    cache_dir,
    dump_json,
    output_lock,
    safe_name,
)
from unetops.imageio import encode_image
from unetops.imageio.types import ImageType
from unetops.parallel import default_workers, in_background, limited_threads, pipelined, process_pool
from unetops.quantify.config import QuantifyConfig
from unetops.quantify.instances import Nuclei
from unetops.quantify.summary import image_summary
from unetops.slide import geojson
from unetops.slide.describe import resolved_mpp
from unetops.slide.hotspot import HEAT_ALPHA, HotSpot, best_field, field_counts, field_side, heat_layers, heatmap
from unetops.slide.measure import SCHEMA, TileMasks, measure_tile
from unetops.slide.pyramid import NucleusLabels, write_pyramid
from unetops.slide.readers import SlideReader, open_slide
from unetops.slide.settings import SlideSettings
from unetops.slide.tiles import Tile, TileGrid
from unetops.slide.tissue import ink_mask, tissue_mask
from unetops.storage import Location, join, read_text, upload_folder
from unetops.visualize import with_legend

log = logging.getLogger(__name__)
POSITIVE_RGB, NEGATIVE_RGB = (200, 60, 20), (30, 90, 230)
TISSUE_GREEN = (0, 160, 0)
PEN_MAGENTA = (200, 0, 200)  # the pen marks left out, on tissue.png
GEOJSON_BATCH = 20_000  # nuclei turned into GeoJSON at a time


def result_name(slide: Path) -> str:
    """The name of a slide's result folder: the file name without its extensions."""
    return safe_name(slide.name.split(".")[0] if slide.name.count(".") > 1 else slide.stem)


@dataclass(frozen=True)
class SlideJob:
    """One slide's analysis, as its tasks need it (it pickles, for cluster workers).

    Attributes:
        slide: the slide file (any format `open_slide` reads).
        out: the folder for the slide's result folder and its work folder, or object storage
            (`s3://bucket/prefix`: see `quantify_slide_to`).
        config: marker profile (stains, thresholds).
        masks_id: what the masks come from (a model's SHA-256), part of the resume fingerprint.
        analysis_mpp: the resolution to analyse at (the model's pixel size); default the slide's level 0.
        mpp: the slide's pixel size when the file lacks it (or is wrong).
        roi: a (QuPath) GeoJSON file of polygons to restrict the analysis to.
        settings: tiling and output settings.
        instance_labels: also write `labels.ome.tif`, the nuclei as an instance label pyramid (for a model that
            gives instances).
    """

    slide: Path
    out: Location
    config: QuantifyConfig
    masks_id: str
    analysis_mpp: float | None = None
    mpp: float | None = None
    roi: Path | None = None
    settings: SlideSettings = field(default_factory=SlideSettings)
    instance_labels: bool = False

    @property
    def name(self) -> str:
        """The result folder's name (`result_name`)."""
        return result_name(self.slide)

    @property
    def results(self) -> Location:
        """The result folder (or its URL)."""
        return join(self.out, self.name)

    @property
    def final(self) -> Path:
        """The result folder in a local (or shared) output."""
        return Path(self.out) / self.name

    @property
    def work(self) -> Path:
        """The work folder (finished tiles) in a local (or shared) output."""
        return Path(self.out) / f".{self.name}.work"


@dataclass
class SlidePlan:
    """What a slide's analysis reads first: its pixel size, tile grid, thumbnail, tissue and the tiles to do."""

    mpp0: float
    target: float
    grid: TileGrid
    thumbnail: np.ndarray
    thumb_scale: float
    analysed: np.ndarray
    pen: np.ndarray
    region: Any
    tiles: list[Tile]
    fingerprint: str


def slide_grid(job: SlideJob, reader: SlideReader) -> tuple[float, float, TileGrid]:
    """The slide's level-0 pixel size, the analysis pixel size and the tile grid at it."""
    mpp0 = resolved_mpp(reader.info, job.mpp)
    target = job.analysis_mpp or mpp0
    return mpp0, target, TileGrid.for_slide(reader, mpp0, target, job.settings.tile_size, job.settings.margin)


def plan_slide(job: SlideJob, reader: SlideReader) -> SlidePlan:
    """Read the thumbnail, find the tissue (inside the ROI) and the tiles that cover it."""
    settings = job.settings
    mpp0, target, grid = slide_grid(job, reader)
    thumbnail, thumb_scale = reader.thumbnail(settings.thumbnail_mpp / mpp0)
    tissue = tissue_mask(thumbnail, thumb_scale * mpp0, settings.min_tissue_um2)
    pen = ink_mask(thumbnail, thumb_scale * mpp0) if settings.exclude_pen else np.zeros(tissue.shape, bool)
    region = geojson.read_roi(job.roi) if job.roi else None
    analysed = tissue & ~pen
    analysed &= _roi_mask(region, tissue.shape, thumb_scale) if region is not None else True
    tiles = [tile for tile in grid.tiles() if grid.covers(tile, analysed, thumb_scale)]
    stat = job.slide.stat()
    parts = [str(job.slide.resolve()), str(stat.st_size), str(stat.st_mtime_ns), job.masks_id,
             job.config.model_dump_json(), settings.model_dump_json(), repr(target),
             job.roi.read_text() if job.roi else "", str(job.instance_labels)]  # fmt: skip
    fingerprint = hashlib.sha256("\n".join(parts).encode()).hexdigest()  # what the results depend on
    return SlidePlan(mpp0, target, grid, thumbnail, thumb_scale, analysed, pen, region, tiles, fingerprint)


def finished(job: SlideJob, plan: SlidePlan) -> dict[str, Any] | None:
    """The summary of this slide's results if they are complete and made from the same inputs and settings."""
    with contextlib.suppress(ValueError, AttributeError):
        document = json.loads(read_text(join(job.results, "summary.json")) or "")
        if document.get("fingerprint") == plan.fingerprint:
            return document
    return None


def start_work(job: SlideJob, plan: SlidePlan) -> list[Tile]:
    """Keep the work folder's finished tiles if they were made from the same inputs (else clear them); returns
    the tiles still to do."""
    job.out.mkdir(parents=True, exist_ok=True)
    record = job.work / "job.json"
    with contextlib.suppress(OSError, ValueError):
        if json.loads(record.read_text()).get("fingerprint") != plan.fingerprint:
            shutil.rmtree(job.work / "tiles", ignore_errors=True)
            shutil.rmtree(job.work / "masks", ignore_errors=True)
    atomic_write_json(record, {"fingerprint": plan.fingerprint, "slide": str(job.slide)})
    return [tile for tile in plan.tiles if not _tile_paths(job.work, tile.index)[0].exists()]


def _roi_mask(roi: Any, shape: tuple[int, int], scale: float) -> np.ndarray:
    """The ROI rasterised on the thumbnail grid (`scale` level-0 px per thumbnail px)."""
    mask = np.zeros(shape, np.uint8)
    for polygon in getattr(roi, "geoms", [roi]):
        rings = [(polygon.exterior, 1)] + [(hole, 0) for hole in polygon.interiors]
        for ring, value in rings:
            cv2.fillPoly(mask, [np.round(np.asarray(ring.coords) / scale).astype(np.int32)], value)
    return mask > 0


def _tile_paths(work: Path, index: int) -> tuple[Path, Path]:
    """A tile's nuclei (Parquet, written last: the mark that the tile is done) and core mask (PNG)."""
    return work / "tiles" / f"{index:07d}.parquet", work / "masks" / f"{index:07d}.png"


def measuring_workers(workers: int | None) -> int:
    """Processes that measure segmented tiles: `workers`, or by default half the cores (none on one core), the
    other half segmenting (on a CPU the two steps cost about the same; with a GPU, give more)."""
    return default_workers() // 2 if workers is None else workers


def inference_threads(workers: int) -> int:
    """Threads left for the network when `workers` processes measure."""
    return max(1, default_workers() - workers)


def _store_tile(job: tuple[Tile, np.ndarray, Nuclei], grid: TileGrid, config: QuantifyConfig, work: Path) -> None:
    """Measure one segmented tile (pixels, nuclei) and keep its nuclei, its reasons to read no index and its core
    mask; the Parquet file, written last, marks the tile done. Runs in a worker process."""
    tile, pixels, nuclei = job
    table, core, refusals = measure_tile(pixels, nuclei, tile, grid, config)
    refusals = [*nuclei.refusals, *refusals]  # kept with the tile: a resumed run has them
    table = table.replace_schema_metadata({REFUSALS_KEY: json.dumps(refusals)})
    table_path, mask_path = _tile_paths(work, tile.index)
    atomic_write_bytes(mask_path, encode_image(core, ImageType.png))
    temporary = table_path.with_name(f".{table_path.name}{TEMPORARY_SUFFIX}")
    table_path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, temporary)
    temporary.replace(table_path)


def _ready() -> None:
    """A pool's first task: unpickling it imports this module, and so the measuring libraries."""


def run_tiles(
    reader: SlideReader,
    grid: TileGrid,
    todo: list[Tile],
    work: Path,
    masks: TileMasks,
    config: QuantifyConfig,
    pool: ProcessPoolExecutor | None = None,
    workers: int = 0,
    on_progress: Callable[[int], None] | None = None,
) -> list[list[str]]:
    """Segment the tiles here while the pool's `workers` processes measure and store the segmented ones (no
    pool: measure here too); returns each tile's input warnings."""
    warnings: list[list[str]] = []

    def segmented() -> Iterator[tuple[Tile, np.ndarray, Nuclei]]:
        for tile in todo:
            pixels = grid.read(reader, tile)
            nuclei = masks(pixels, tile)
            warnings.append(nuclei.warnings)
            yield tile, pixels, nuclei

    store = partial(_store_tile, grid=grid, config=config, work=work)
    with limited_threads(inference_threads(workers)) if pool else contextlib.nullcontext():
        for _ in pipelined(store, segmented(), pool, ahead=2 * workers):
            if on_progress:
                on_progress(1)
    return warnings


def tile_warnings(per_tile: list[list[str]]) -> list[str]:
    """Warnings of many tiles summarised: each kind (its text up to the figures in brackets) once, with the
    number of tiles that had it, and the first tile's full text."""
    kinds: dict[str, tuple[int, str]] = {}
    for warnings in per_tile:
        for warning in warnings:
            kind = warning.split(" (")[0]
            count, first = kinds.get(kind, (0, warning))
            kinds[kind] = (count + 1, first)
    return [f"{count} tile(s): {first}" for count, first in kinds.values()]


def _draw_nuclei(crop: np.ndarray, table: pa.Table, origin: tuple[float, float], scale: float) -> np.ndarray:
    """Outlines of the nuclei in `table` on `crop` (whose top-left is `origin` in level-0 px, `scale` level-0 px
    per crop px), positive brown-red and negative blue, with a legend."""
    out = crop.copy()
    for contour, positive in zip(table["contour"].to_pylist(), table["positive"].to_pylist(), strict=True):
        points = np.round((np.asarray(contour) - np.asarray(origin)) / scale).astype(np.int32)
        if len(points) >= 2:
            cv2.polylines(out, [points], True, POSITIVE_RGB if positive else NEGATIVE_RGB, 1)
    return with_legend(out, [("positive", POSITIVE_RGB), ("negative", NEGATIVE_RGB)])


SMALL_COLUMNS = [
    "x",
    "y",
    "area_um2",
    "positive",
    "intensity_bin",
    "dab_od_mean",
    "dab_od_nuclear",
    "nucleus_like",
    "membrane_completeness",
    "membrane_score",
]  # what the summary needs


REFUSALS_KEY = "unetops_refusals"  # a tile's reasons to read no index, in its Parquet file's metadata
NUCLEI_SCHEMA = pa.schema([pa.field("id", pa.uint32()), *SCHEMA])  # nuclei.parquet: ids 1..N in file order


def _combine(
    parts: list[tuple[int, Path]], target: Path, plan: SlidePlan
) -> tuple[pa.Table, dict[int, int], list[list[str]]]:
    """Append every tile's nuclei (inside the plan's ROI, if any, and not under a pen mark) to one Parquet file, a
    row group per tile, with ids 1..N; returns the few columns the summary and the hot spot need (memory grows
    with the nuclei, not with their outlines), each tile's row group and each tile's reasons to read no index."""
    kept, groups, first, refusals = [], {}, 1, []
    with pq.ParquetWriter(target, NUCLEI_SCHEMA) as writer:
        for index, part in parts:
            table = pq.read_table(part)
            refusals.append(json.loads((table.schema.metadata or {}).get(REFUSALS_KEY.encode(), b"[]")))
            table = table.replace_schema_metadata(None)
            x, y = table["x"].to_numpy(), table["y"].to_numpy()
            keep = ~_on_mask(plan.pen, x, y, plan.thumb_scale)
            if plan.region is not None:
                import shapely

                keep &= shapely.contains_xy(plan.region, x, y)
            table = table.filter(pa.array(keep))
            if table.num_rows == 0:
                continue
            ids = pa.array(np.arange(first, first + table.num_rows), pa.uint32())
            writer.write_table(table.add_column(0, "id", ids))
            first += table.num_rows
            groups[index] = len(groups)
            kept.append(table.select(SMALL_COLUMNS))
    small = pa.concat_tables(kept) if kept else SCHEMA.empty_table().select(SMALL_COLUMNS)
    return small, groups, refusals


def _area_mm2(plan: SlidePlan, mask: np.ndarray) -> float:
    """The area of a mask on the plan's thumbnail, in mm^2."""
    return float(mask.sum()) * (plan.thumb_scale * plan.mpp0 / 1000) ** 2


def _on_mask(mask: np.ndarray, x: np.ndarray, y: np.ndarray, scale: float) -> np.ndarray:
    """Whether each level-0 point (x, y) falls on a thumbnail mask (`scale` level-0 px per thumbnail px)."""
    row = np.clip((y / scale).astype(int), 0, mask.shape[0] - 1)
    column = np.clip((x / scale).astype(int), 0, mask.shape[1] - 1)
    return mask[row, column]


def slide_refusals(per_tile: list[list[str]]) -> tuple[list[str], list[str]]:
    """The slide's reasons to read no index (when more than half of its tiles have one: each kind once, with the
    number of tiles), and otherwise warnings naming the tiles that had one."""
    refused = sum(bool(reasons) for reasons in per_tile)
    summarised = tile_warnings(per_tile)
    if refused * 2 > len(per_tile):
        return [f"{refused} of {len(per_tile)} tiles refused: " + "; ".join(summarised)], []
    return [], [f"no index read from {text}" for text in summarised]


def _inside(nuclei: Path, x: float, y: float, side: float) -> pa.Table:
    """The nuclei of the Parquet file whose centroid lies in a square (read with a filter, not whole)."""
    box = [("x", ">=", x), ("x", "<", x + side), ("y", ">=", y), ("y", "<", y + side)]
    return pq.read_table(nuclei, filters=box)


def _qc_crop(reader: SlideReader, grid: TileGrid, nuclei: Path, centre: tuple[float, float], side: int) -> bytes:
    """A QC picture of `side` analysis px centred on `centre` (level-0 px), nuclei outlined."""
    x = centre[0] / grid.scale - side / 2
    y = centre[1] / grid.scale - side / 2
    tile = Tile(-1, 0, 0, round(x), round(y), side, 0)
    crop = grid.read(reader, tile)
    origin = (tile.x * grid.scale, tile.y * grid.scale)
    inside = _inside(nuclei, origin[0], origin[1], side * grid.scale)
    return encode_image(_draw_nuclei(crop, inside, origin, grid.scale), ImageType.png)


def slide_summary(
    table: pa.Table,
    config: QuantifyConfig,
    tissue_mm2: float,
    mpp: float | None = None,
    refusals: list[str] | tuple[str, ...] = (),
) -> dict[str, Any]:
    """Counts, density per mm^2 of tissue, the Ki-67 index, H-score and Allred score of the whole slide (for a
    membrane marker, the HER2 score and its distribution)."""
    count = table.num_rows
    features = {
        "id": np.arange(1, count + 1),
        "area": table["area_um2"].to_numpy(),
        "touches_border": np.zeros(count, bool),
        "positive": table["positive"].to_numpy(zero_copy_only=False),
        "intensity_bin": table["intensity_bin"].to_numpy(),
        "dab_od_mean": table["dab_od_mean"].to_numpy(),
        "dab_od_nuclear": table["dab_od_nuclear"].to_numpy(),
        "nucleus_like": table["nucleus_like"].to_numpy(zero_copy_only=False),
        "membrane_completeness": table["membrane_completeness"].to_numpy(),
        "membrane_score": table["membrane_score"].to_numpy(),
    }
    summary = image_summary(features, (0, 0), config, None, refusals)
    summary["positivity"] = config.positivity_rule(mpp)
    for key in ("area_mean", "area_median", "area_std"):
        summary[f"{key}_um2"] = summary.pop(key)
    summary.pop("excluded_at_border", None)
    summary["tissue_mm2"] = tissue_mm2
    summary["density_per_mm2"] = count / tissue_mm2 if tissue_mm2 else math.nan
    return summary


def quantify_slide(
    slide: Path,
    masks: TileMasks,
    out: Path,
    config: QuantifyConfig,
    *,
    masks_id: str,
    analysis_mpp: float | None = None,
    mpp: float | None = None,
    roi: Path | None = None,
    settings: SlideSettings | None = None,
    workers: int | None = None,
    instance_labels: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Segment and measure every nucleus of a slide's tissue and write the results to `out/<slide name>/`, in this
    process and a pool of measuring processes (for many slides on a cluster, see `unetops.slide.batch`).

    Args:
        slide, out, config, masks_id, analysis_mpp, mpp, roi, settings, instance_labels: the `SlideJob`.
        masks: the nucleus mask of a tile (a model's `Segmenter`, or precomputed masks).
        workers: processes that measure segmented tiles while this one segments the next (0: measure here);
            default `measuring_workers`.
        on_start, on_progress: progress callbacks (tiles).

    Returns:
        The summary written to `summary.json`. A slide whose results are complete and were made from the same
        inputs and settings is not analysed again.
    """
    job = SlideJob(slide, out, config, masks_id, analysis_mpp, mpp, roi, settings or SlideSettings(), instance_labels)
    return quantify_job(job, masks, workers=workers, on_start=on_start, on_progress=on_progress)


def quantify_job(
    job: SlideJob,
    masks: TileMasks,
    *,
    workers: int | None = None,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """`quantify_slide` of a `SlideJob` (its output a local or shared folder)."""
    with open_slide(job.slide) as reader:
        return _analyse(job, reader, masks, None, workers, on_start, on_progress)


def _analyse(
    job: SlideJob,
    reader: SlideReader,
    masks: TileMasks,
    plan: SlidePlan | None,
    workers: int | None,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """`quantify_slide` on an open slide, with its plan if it was made already."""
    helpers = measuring_workers(workers)
    with process_pool(helpers) or contextlib.nullcontext() as pool:
        if pool is not None:
            pool.submit(_ready)  # the workers start while the thumbnail is read
        plan = plan or plan_slide(job, reader)
        if on_start:
            on_start(len(plan.tiles))
        document = finished(job, plan)
        if document is not None:
            if on_progress:
                on_progress(len(plan.tiles))
            return document
        Path(job.out).mkdir(parents=True, exist_ok=True)
        with output_lock(job.work):
            todo = start_work(job, plan)
            if on_progress and len(plan.tiles) > len(todo):
                on_progress(len(plan.tiles) - len(todo))
            warnings = run_tiles(reader, plan.grid, todo, job.work, masks, job.config, pool, helpers, on_progress)
            return finish_slide(job, plan, reader, warnings, pool)


def quantify_slide_to(job: SlideJob, masks: TileMasks, *, workers: int | None = 0) -> dict[str, Any]:
    """`quantify_slide` for an output on object storage: the slide is analysed in this machine's cache
    (`cache_dir("slides")`: a killed run continues there when run again here), then its results are uploaded,
    `summary.json` last (the mark that they are complete), and the cached work is removed. A slide whose
    results are there, made from the same inputs, is not analysed again.
    """
    with open_slide(job.slide) as reader:
        plan = plan_slide(job, reader)  # made once: where the results go does not change it
        document = finished(job, plan)
        if document is not None:
            return document
        here = replace(job, out=cache_dir("slides", plan.fingerprint[:24]))
        document = _analyse(here, reader, masks, plan, workers)
        upload_folder(here.final, str(job.results), last="summary.json")
    shutil.rmtree(here.out, ignore_errors=True)
    return document


def finish_slide(
    job: SlideJob,
    plan: SlidePlan,
    reader: SlideReader,
    warnings: list[list[str]],
    pool: ProcessPoolExecutor | None = None,
) -> dict[str, Any]:
    """Combine the finished tiles into the slide's results (`out/<name>/`, put in place by one rename): nuclei,
    summary, hot spot, pictures, pyramids, QC crops and GeoJSON; then remove the work folder.

    Args:
        warnings: the input warnings of each tile (`run_tiles`).
        pool: a process pool to write the GeoJSON on while this process draws the rest.
    """
    settings, config, grid, work = job.settings, job.config, plan.grid, job.work
    nuclei = work / "nuclei.parquet"
    parts = [(t.index, _tile_paths(work, t.index)[0]) for t in plan.tiles]
    table, groups, per_tile_refusals = _combine(parts, nuclei, plan)
    refusals, refusal_warnings = slide_refusals(per_tile_refusals)
    summary = slide_summary(table, config, _area_mm2(plan, plan.analysed), grid.mpp, refusals)
    positive = table["positive"].to_numpy(zero_copy_only=False)
    x, y = table["x"].to_numpy(), table["y"].to_numpy()
    counts = field_counts(x, y, positive, reader.info.dimensions, field_side(settings.hotspot_area_mm2, plan.mpp0))
    hotspot = best_field(counts, x, y, positive, plan.mpp0, settings.hotspot_min_nuclei)
    done = set(tile.index for tile in plan.tiles)
    with atomic_directory(job.final, overwrite=True) as staging:
        nuclei.replace(staging / "nuclei.parquet")
        nuclei = staging / "nuclei.parquet"
        geojson_written = in_background(pool, _write_geojson, staging, nuclei, hotspot, settings)
        try:
            heat = heat_layers(counts, plan.analysed, plan.thumb_scale, settings.hotspot_min_nuclei)
            _write_pictures(staging, plan, heat)
            write_pyramid(staging / "mask.ome.tif", grid, partial(_core_mask, work, done))
            if job.instance_labels:
                write_pyramid(staging / "labels.ome.tif", grid, NucleusLabels(nuclei, grid, groups), labels=True)
            _write_qc(staging / "qc", reader, grid, nuclei, hotspot, plan.tiles, settings)
        finally:
            geojson_written()
        document = {
            "unetops_version": __version__,
            "slide": reader.info.to_dict() | {"mpp": plan.mpp0},
            "analysis_mpp": plan.target,
            "masks": job.masks_id,
            "profile": config.model_dump(mode="json"),
            "settings": settings.model_dump(mode="json"),
            "roi": str(job.roi) if job.roi else None,
            "tiles": {"grid": grid.shape[0] * grid.shape[1], "analysed": len(plan.tiles)},
            "pen_mm2": _area_mm2(plan, plan.pen),
            "summary": summary,
            "hotspot": hotspot.to_dict() if hotspot else None,
            "hotspot_note": None if hotspot else (
                f"no field of {settings.hotspot_area_mm2:g} mm2 holds {settings.hotspot_min_nuclei} nuclei"
            ),
            "warnings": [*tile_warnings(warnings), *refusal_warnings],
            "fingerprint": plan.fingerprint,
        }  # fmt: skip
        atomic_write_text(staging / "summary.json", dump_json(_finite(document)))
    shutil.rmtree(work, ignore_errors=True)
    return _finite(document)


def _core_mask(work: Path, done: set[int], index: int) -> np.ndarray | None:
    """A finished tile's core mask, None for a tile not analysed."""
    return cv2.imread(str(_tile_paths(work, index)[1]), cv2.IMREAD_GRAYSCALE) if index in done else None


def _write_pictures(folder: Path, plan: SlidePlan, heat: tuple[np.ndarray, np.ndarray]) -> None:
    """`thumbnail.png`, `tissue.png` (the analysed tissue outlined in green, pen marks left out in magenta) and
    `heatmap.png` on the thumbnail; the same two as transparent layers for a viewer, `overlays/tissue.png` and
    `overlays/heatmap.png`."""
    thumbnail, analysed = plan.thumbnail, plan.analysed

    def edge(mask: np.ndarray) -> np.ndarray:
        return cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0

    outline = edge(analysed)
    outlined = thumbnail.copy()
    outlined[outline] = TISSUE_GREEN
    outlined[edge(plan.pen)] = PEN_MAGENTA
    colour, shown = heat
    tissue_layer = np.zeros((*analysed.shape, 4), np.uint8)
    tissue_layer[analysed > 0] = (*TISSUE_GREEN, 48)  # a light fill, and the outline opaque
    tissue_layer[outline] = (*TISSUE_GREEN, 255)
    heat_layer = np.dstack([colour, (shown > 0) * np.uint8(round(255 * HEAT_ALPHA))])
    pictures = {"thumbnail.png": thumbnail, "tissue.png": outlined, "heatmap.png": heatmap(thumbnail, colour, shown),
                "overlays/tissue.png": tissue_layer, "overlays/heatmap.png": heat_layer}  # fmt: skip
    for name, picture in pictures.items():
        atomic_write_bytes(folder / name, encode_image(picture, ImageType.png))


def _write_geojson(folder: Path, nuclei: Path, hotspot: HotSpot | None, settings: SlideSettings) -> None:
    """`nuclei.geojson` (detections: all, the hot spot's, or none) and `hotspot.geojson` (the annotation)."""
    if settings.geojson_nuclei == "hotspot" and hotspot is not None:
        box = [("x", ">=", hotspot.x), ("x", "<", hotspot.x + hotspot.width), ("y", ">=", hotspot.y),
               ("y", "<", hotspot.y + hotspot.height)]  # fmt: skip
        batches = pq.read_table(nuclei, filters=box).to_batches(GEOJSON_BATCH)
    else:
        batches = pq.ParquetFile(nuclei).iter_batches(GEOJSON_BATCH)
    if settings.geojson_nuclei != "none":
        geojson.write_feature_collection(folder / "nuclei.geojson", (geojson.nucleus_features(b) for b in batches))
    annotations = [geojson.hotspot_feature(hotspot)] if hotspot else []
    atomic_write_text(folder / "hotspot.geojson", geojson.feature_collection(annotations))


def _write_qc(
    folder: Path,
    reader: SlideReader,
    grid: TileGrid,
    nuclei: Path,
    hotspot: HotSpot | None,
    tiles: list[Tile],
    settings: SlideSettings,
) -> None:
    """QC crops with the nuclei outlined: the hot spot, and a few tissue fields drawn at random (seeded)."""
    if hotspot is not None:
        centre = (hotspot.x + hotspot.width / 2, hotspot.y + hotspot.height / 2)
        atomic_write_bytes(folder / "hotspot.png", _qc_crop(reader, grid, nuclei, centre, settings.qc_side))
    chosen = np.random.default_rng(0).permutation(len(tiles))[: settings.qc_fields]
    for number, pick in enumerate(sorted(chosen), start=1):
        tile = tiles[int(pick)]
        centre = ((tile.x + tile.size / 2) * grid.scale, (tile.y + tile.size / 2) * grid.scale)
        atomic_write_bytes(folder / f"field_{number}.png", _qc_crop(reader, grid, nuclei, centre, settings.qc_side))


def _finite(value: Any) -> Any:
    """NaN and infinity as null, for strict JSON readers."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value.item() if isinstance(value, np.generic) else value
