"""`unetops predict` and `unetops evaluate`: a model applied to images, or measured on a dataset split."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from unetops.cli.batch import SCHEDULER_OPTION, WORKERS_OPTION, batch_client
from unetops.cli.console import console, err_console, progress_bar
from unetops.model.backends import Backend
from unetops.storage import location

MODEL_HELP = "Model: a checkpoint file, a run's model folder, or models:/NAME@ALIAS."


def predict(
    model: str = typer.Argument(..., help=MODEL_HELP),
    inputs: list[str] = typer.Argument(..., help="Image files, folders or glob patterns."),
    out: str = typer.Option(..., "--out", "-o", help="Output folder, or object storage (s3://bucket/prefix)."),
    backend: Backend = typer.Option(Backend.onnx, help="onnx (ONNX Runtime, fastest on CPU) or torch."),
    tta: bool = typer.Option(False, help="Average over flips (test-time augmentation)."),
    probabilities: bool = typer.Option(False, help="Also write the probability map (8-bit PNG)."),
    overlay: bool = typer.Option(True, help="Also write the image with predicted outlines."),
    threshold: float = typer.Option(None, help="Foreground threshold (default: the model's)."),
    window: int = typer.Option(None, min=16, help="Sliding-window size (default: the training patch size)."),
    scheduler: str = SCHEDULER_OPTION,
    workers: int = WORKERS_OPTION,
) -> None:
    """Segment images of any size (tiled, Gaussian-blended), one Dask task per image; unreadable files are
    reported and skipped, and a rerun skips the images already done."""
    from unetops.imageio.inputs import expand_inputs
    from unetops.inference.predict import predict_files
    from unetops.model.backends import load_model

    loaded = load_model(model, backend)
    files = expand_inputs(inputs)
    with (
        batch_client(scheduler, workers, len(files)) as client,
        progress_bar("predicting", rate=True) as (start, progress),
    ):
        summary = predict_files(
            files, loaded, location(out), tta=tta, probabilities=probabilities, overlay=overlay, threshold=threshold,
            window=window, client=client, on_start=start, on_progress=progress,
        )  # fmt: skip
    console.print(f"wrote {len(summary.written)} files to {out}")
    for path, warning in summary.warnings:
        err_console.print(f"[yellow]warning[/] {path}: {warning}", highlight=False)
    for path, problem in summary.failed:
        err_console.print(f"[yellow]skipped[/] {path}: {problem}", highlight=False)
    if summary.failed:
        raise typer.Exit(1)


def evaluate(
    model: str = typer.Argument(..., help=MODEL_HELP),
    dataset: Path = typer.Argument(..., help="A dataset folder written by `unetops dataset build`."),
    split: list[str] = typer.Option(
        ["val", "test"], help="Split to evaluate (repeatable); splits without images are left out."
    ),
    out: Path = typer.Option(Path("reports/evaluation"), help="Folder for per_image.csv, summary.json, report.html."),
    backend: Backend = typer.Option(Backend.onnx, help="onnx or torch."),
    tta: bool = typer.Option(False, help="Average over flips (test-time augmentation)."),
    track: bool = typer.Option(True, "--track/--no-track", help="Log the results to the model's MLflow run."),
) -> None:
    """Pixel, object and contour metrics per image, with bootstrap intervals and an HTML report (splits side by
    side)."""
    from unetops.evaluation.definitions import METRIC_INFO
    from unetops.evaluation.report import write_evaluation
    from unetops.evaluation.run import evaluate_splits
    from unetops.model.backends import load_model

    loaded = load_model(model, backend)
    with progress_bar("evaluating") as (on_start, on_progress):
        evaluations = evaluate_splits(loaded, dataset, split, tta=tta, on_start=on_start, on_progress=on_progress)
    paths = write_evaluation(evaluations, out)
    summaries = [summary for _, summary in evaluations]
    table = Table(title="evaluation (mean and 95% interval over images)", title_justify="left")
    table.add_column("metric")
    table.add_column("better")
    for summary in summaries:
        table.add_column(f"{summary['split']} ({summary['images']} images)")
    for name, info in METRIC_INFO.items():
        cells = [
            f"{m['mean']:.4f} ({m['ci95_low']:.4f} - {m['ci95_high']:.4f})"
            for m in (summary["metrics"][name] for summary in summaries)
        ]
        table.add_row(name, info.better, *cells)
    console.print(table)
    for summary in summaries:
        if summary["note"]:
            err_console.print(f"[yellow]{summary['split']}:[/] {summary['note']}", highlight=False)
    console.print(f"report: {paths['report']}  per image: {paths['per_image']}  summary: {paths['summary']}")
    run_id = loaded.metadata.metrics.get("mlflow_run_id")
    if track and run_id:
        from unetops.tracking.store import log_to_run

        means = {
            f"eval/{summary['split']}/{name}": s["mean"]
            for summary in summaries
            for name, s in summary["metrics"].items()
        }
        if log_to_run(run_id, means, out, "evaluation"):
            console.print(f"logged to MLflow run {run_id}")
