"""`unetops slide info | quantify`: whole-slide images."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from unetops.cli.batch import SCHEDULER_OPTION, WORKERS_OPTION, batch_client
from unetops.cli.console import console, err_console, number_cell, progress_bar
from unetops.cli.options import field_option, model_or_starter
from unetops.slide.settings import SlideSettings
from unetops.storage import location

app = typer.Typer(help="Whole-slide images: describe them, segment and quantify them.", no_args_is_help=True)
MPP_HELP = "Micrometres per pixel at level 0, for slides that do not record it (or to override it)."


def report_failures(failures: list[tuple[Path, str]]) -> None:
    """Every failure of a batch, at the end; exit 1 if there was any."""
    for _, problem in failures:  # each message names its slide
        err_console.print(f"[bold red]failed[/] {escape(problem)}", highlight=False)
    if failures:
        raise typer.Exit(1)


@app.command("info")
def info(
    slides: list[Path] = typer.Argument(..., help="Slide files (SVS, NDPI, MRXS, SCN, TIFF, OME-TIFF, PNG, JPEG)."),
    mpp: float = typer.Option(None, min=0.01, max=100, help=MPP_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Size per level, pixel size, objective power, vendor and associated images of each slide."""
    from unetops.slide.describe import describe_slides

    with progress_bar("reading") as (on_start, on_progress):
        on_start(len(slides))
        infos, failures = describe_slides(slides, mpp, on_progress)
    if as_json:
        typer.echo(json.dumps([i.to_dict() for i in infos], indent=2))
    else:
        table = Table(title=f"{len(infos)} slide(s)", title_justify="left")
        for column in ("slide", "vendor", "levels (width x height, downsample)", "um/px", "objective", "associated"):
            table.add_column(column, overflow="fold")
        for i in infos:
            levels = ", ".join(
                f"{w}x{h} ({d:g}x)" for (w, h), d in zip(i.level_dimensions, i.level_downsamples, strict=True)
            )
            power = "" if i.objective_power is None else f"x{i.objective_power:g}"
            table.add_row(str(i.path), i.vendor, levels, f"{i.mpp:.4g}", power, ", ".join(i.associated))
        console.print(table)
    report_failures(failures)


@app.command("quantify")
def quantify(
    slides: list[Path] = typer.Argument(..., help="Slide files."),
    model: str = typer.Option(
        None, help="Model folder, model.onnx or models:/NAME@ALIAS; neither this nor --masks: the starter model."
    ),
    masks: Path = typer.Option(
        None,
        help="Instead of a model: a nucleus mask TIFF/OME-TIFF at the slide's full resolution (non-zero = nucleus).",
    ),
    out: str = typer.Option(
        ..., "--out", "-o", help="Folder for one result folder per slide, or object storage (s3://bucket/prefix)."
    ),
    profile: str = typer.Option("ki67", help="Marker profile: ki67, er, pr, her2 or a YAML file."),
    mpp: float = typer.Option(None, min=0.01, max=100, help=MPP_HELP),
    roi: Path = typer.Option(None, help="QuPath annotation GeoJSON: analyse only inside its polygons."),
    geojson_nuclei: str = field_option(SlideSettings, "geojson_nuclei"),
    tile_size: int = field_option(SlideSettings, "tile_size"),
    hotspot_area: float = field_option(SlideSettings, "hotspot_area_mm2", "--hotspot-area"),
    exclude_pen: bool = field_option(SlideSettings, "exclude_pen", "--exclude-pen/--keep-pen"),
    scheduler: str = SCHEDULER_OPTION,
    workers: int = WORKERS_OPTION,
) -> None:
    """Every nucleus of each slide's tissue (Parquet), Ki-67 index, H-score, Allred and the hot spot, GeoJSON for
    QuPath, a mask pyramid, heatmap and QC crops. Slides are split into blocks of tiles, run as Dask tasks;
    resumable (finished tiles and slides are not redone), and a failing slide does not stop the others."""
    from unetops.errors import UnetopsError
    from unetops.fileio import sha256_file
    from unetops.model.backends import load_model
    from unetops.model.segmenter import Segmenter
    from unetops.quantify.config import load_profile
    from unetops.slide.batch import SlidesResult, quantify_slides
    from unetops.slide.masks import model_masks, precomputed_masks, worker_model_masks
    from unetops.slide.quantify import (
        SlideJob,
        inference_threads,
        measuring_workers,
        quantify_slide,
        quantify_slide_to,
    )
    from unetops.storage import is_remote

    if masks is not None and model is not None:
        raise typer.BadParameter("give --model or --masks, not both")
    model = model_or_starter(model) if masks is None else None
    config = load_profile(profile)
    settings = SlideSettings(
        geojson_nuclei=geojson_nuclei, tile_size=tile_size, hotspot_area_mm2=hotspot_area, exclude_pen=exclude_pen
    )
    with batch_client(scheduler, workers) as client:
        helpers = measuring_workers(None)
        loaded = load_model(model, threads=inference_threads(helpers)) if model is not None else None
        if loaded is not None:
            source_id, analysis_mpp = sha256_file(loaded.path), loaded.metadata.dataset_spec.pixel_size_um
            instance_labels = loaded.metadata.network.target == "instances"
            source = worker_model_masks(loaded) if client is not None else model_masks(Segmenter(loaded))
        else:
            source, source_id, analysis_mpp, instance_labels = (
                precomputed_masks(masks),
                f"masks:{masks.resolve()}",
                None,
                False,
            )
        jobs = [
            SlideJob(slide, location(out), config, source_id, analysis_mpp, mpp, roi, settings, instance_labels)
            for slide in slides
        ]
        if client is not None:
            with progress_bar(f"tiles of {len(slides)} slide(s)", rate=True) as (on_start, on_progress):
                result = quantify_slides(client, jobs, source, on_start=on_start, on_progress=on_progress)
        else:
            result = SlidesResult()
            for job in jobs:
                try:
                    with progress_bar(f"tiles of {job.slide.name}", rate=True) as (on_start, on_progress):
                        if is_remote(job.out):
                            result.documents[job.slide] = quantify_slide_to(job, source, workers=helpers)
                        else:
                            result.documents[job.slide] = quantify_slide(
                                job.slide, source, job.out, config, masks_id=source_id, analysis_mpp=analysis_mpp,
                                mpp=mpp, roi=roi, settings=settings, workers=helpers, instance_labels=instance_labels,
                                on_start=on_start, on_progress=on_progress,
                            )  # fmt: skip
                except UnetopsError as exc:
                    result.failed.append((job.slide, exc.render()))

    table = Table(title=f"profile {config.name}", title_justify="left")
    index_column = "HER2" if config.compartment == "membrane" else "index %"
    for column in ("slide", "nuclei", "positive", index_column, "H-score", "Allred", "hot spot %", "per mm2"):
        table.add_column(column, no_wrap=column == "slide")
    for slide, document in result.documents.items():
        s, hot = document["summary"], document["hotspot"]
        table.add_row(
            slide.name, str(s["nuclei"]), str(s.get("positive", "")),
            s.get("her2_score", number_cell(s.get("ki67_index"))),
            number_cell(s.get("h_score"), 0), str(s.get("allred_total", "")),
            number_cell(hot["index"] if hot else None), number_cell(s.get("density_per_mm2"), 0),
        )  # fmt: skip
        for warning in document["warnings"]:
            err_console.print(f"[yellow]warning[/] {escape(slide.name)}: {escape(warning)}", highlight=False)
        if s.get("index_status") == "not measured":
            err_console.print(f"[red]{escape(slide.name)}[/]: {escape(s['index_note'])}", highlight=False)
    console.print(table)
    console.print(f"results in {out}/<slide>/: summary.json, nuclei.parquet, nuclei.geojson and hotspot.geojson "
                  "(QuPath: File > Import objects), heatmap.png, tissue.png, mask.ome.tif, qc/")  # fmt: skip
    report_failures(result.failed)
