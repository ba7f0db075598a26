"""`unetops quantify`: nuclei counted and measured from masks or a model's prediction."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from unetops.cli.batch import SCHEDULER_OPTION, WORKERS_OPTION, batch_client
from unetops.cli.console import console, err_console, number_cell, progress_bar
from unetops.cli.options import field_default, model_or_starter
from unetops.imageio.inputs import expand_inputs
from unetops.model.backends import Backend
from unetops.quantify.config import PROFILES, load_profile
from unetops.quantify.run import masks_from_folder, quantify_images, segmenter_masks, worker_masks
from unetops.spec.model import DatasetSpec
from unetops.storage import location


def quantify(
    images: list[str] = typer.Argument(..., help="Image files, folders or glob patterns."),
    out: str = typer.Option(..., "--out", "-o", help="Output folder, or object storage (s3://bucket/prefix)."),
    masks: Path = typer.Option(None, help="Folder of masks named <stem><keyword>.<ext>."),
    model: str = typer.Option(
        None, help="Segment with this model instead (path or models:/NAME@ALIAS); neither: the starter model."
    ),
    mask_keyword: str = typer.Option(
        field_default(DatasetSpec, "mask_keyword"), help="Suffix of mask stems in --masks."
    ),
    profile: str = typer.Option("ki67", help=f"Profile: {', '.join(PROFILES)} or a YAML file."),
    pixel_size: float = typer.Option(None, min=0, help="Micrometres per pixel (adds um, um^2 and density per mm^2)."),
    backend: Backend = typer.Option(Backend.onnx, help="Backend for --model."),
    scheduler: str = SCHEDULER_OPTION,
    workers: int = WORKERS_OPTION,
) -> None:
    """Instances, per-nucleus features and per-image summaries (Ki-67 index, H-score, Allred), one Dask task
    per image; a rerun skips the images already measured."""
    if masks is not None and model is not None:
        raise typer.BadParameter("give --masks or --model, not both")
    config = load_profile(profile)
    if config.experimental:
        err_console.print(f"[yellow]profile {config.name} is experimental:[/] {config.description}")
    files = expand_inputs(images)
    with (
        batch_client(scheduler, workers, len(files)) as client,
        progress_bar("quantifying", rate=True) as (start, progress),
    ):
        if masks is not None:
            source = masks_from_folder(masks, mask_keyword)
        else:
            from unetops.model.backends import load_model
            from unetops.model.segmenter import Segmenter

            loaded = load_model(model_or_starter(model), backend)
            source = worker_masks(loaded) if client is not None else segmenter_masks(Segmenter(loaded))
        result = quantify_images(
            files,
            source,
            location(out),
            config,
            pixel_size=pixel_size,
            client=client,
            on_start=start,
            on_progress=progress,
        )
    longest = max((len(q.name) for q in result.images), default=5)
    table = Table(title=f"profile {config.name}", title_justify="left")
    table.add_column("image", no_wrap=True, min_width=longest)  # names stay whole, however narrow the terminal
    membrane = config.compartment == "membrane"
    for column in ("nuclei", "positive", *(("HER2", "3+ %") if membrane else ("Ki-67 index %", "Allred")), "H-score",
                   "flag"):  # fmt: skip
        table.add_column(column)
    notes: list[str] = []
    for q in result.images:
        s = q.summary
        flags = ["low count"] if s["low_count"] else []
        for text in ([s["index_note"]] if "index_note" in s else []) + q.warnings:
            notes.append(f"{q.name}: {text}")
            flags.append(f"note {len(notes)}")
        if membrane:
            stained = (str(s.get("her2_score", "n/a")), number_cell(s.get("membrane_percent_3plus")))
        else:
            stained = (number_cell(s.get("ki67_index")), str(s.get("allred_total", "")))
        table.add_row(
            q.name,
            str(s["nuclei"]),
            str(s.get("positive", "")),
            *stained,
            f"{s.get('h_score', float('nan')):.0f}",
            ", ".join(flags),
        )
    console.print(table)
    for number, note in enumerate(notes, start=1):
        err_console.print(f"[yellow]note {number}[/] {escape(note)}", highlight=False)
    console.print(f"wrote nuclei.csv, images.csv, images.json, histograms.png and qc/ to {out}")
    for path, problem in result.failed:
        err_console.print(f"[yellow]skipped[/] {path}: {problem}", highlight=False)
    if result.failed:
        raise typer.Exit(1)
