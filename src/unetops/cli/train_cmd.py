"""`unetops train`: a U-Net on a built dataset, tracked in MLflow."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from unetops.cli.console import console, err_console
from unetops.cli.options import field_option
from unetops.fileio import atomic_write_json
from unetops.train.config import TrainConfig, load_train_config


def _override(name: str, *decls: str) -> object:
    return field_option(TrainConfig, name, *decls, override=True)


def train(
    dataset: Path = typer.Argument(..., help="A dataset folder written by `unetops dataset build`."),
    config: Path = typer.Option(None, help="YAML file of training settings (a `train:` section is used if present)."),
    out: Path = typer.Option(Path("runs/train"), help="Run folder: checkpoints, model, overlays."),
    resume: bool = typer.Option(False, help="Continue the interrupted run in --out from its last checkpoint."),
    epochs: int = _override("epochs"),
    batch_size: int = _override("batch_size"),
    patch_size: int = _override("patch_size"),
    steps_per_epoch: int = _override("steps_per_epoch"),
    architecture: str = _override("architecture"),
    depth: int = _override("depth"),
    base_width: int = _override("base_width"),
    target: str = _override("target"),
    learning_rate: float = _override("learning_rate"),
    time_budget: str = _override("time_budget"),
    seed: int = _override("seed"),
    accelerator: str = _override("accelerator"),
    devices: int = _override("devices"),
    num_nodes: int = _override("num_nodes"),
    precision: str = _override("precision"),
    model_name: str = _override("model_name"),
    register_model: bool = _override("register_model", "--register/--no-register"),
    experiment: str = typer.Option("unetops", help="MLflow experiment."),
    track: bool = typer.Option(True, "--track/--no-track", help="Track the run in MLflow."),
    metrics: Path = typer.Option(None, help="Write the final metrics as JSON here (for `dvc metrics show`)."),
) -> None:
    """Train a U-Net (MONAI) on a built dataset; best and last checkpoints, ONNX, MLflow run and registry."""
    given = dict(locals())
    overrides = {name: given[name] for name in TrainConfig.model_fields if name in given}
    settings = load_train_config(config, overrides)
    from unetops.train.loop import EpochReport, is_first_process, train_model  # torch, MONAI: only to train

    if not is_first_process():  # another process of a distributed run: rank 0 reports
        train_model(dataset, settings, out, resume=resume, experiment=experiment if track else None)
        return
    with Progress(
        TextColumn("[bold]training"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        console=err_console,
    ) as progress:
        task = progress.add_task("train", total=settings.epochs, status="")

        def show(report: EpochReport) -> None:
            status = f"loss {report.train_loss:.3f}  val Dice {report.val_dice:.3f}"
            progress.update(task, completed=report.epoch, status=status)

        result = train_model(
            dataset, settings, out, resume=resume, experiment=experiment if track else None, on_epoch_end=show
        )
    summary = {
        "val_dice": round(result.best_dice, 6),
        "best_epoch": result.best_epoch,
        "epochs_run": result.epochs_run,
        "stop_reason": result.stop_reason,
        "train_seconds": round(result.seconds, 1),
        "patch_size": result.patch_size,
        "batch_size": result.batch_size,
        "onnx_max_difference": result.onnx_max_difference,
        "mlflow_run_id": result.run_id,
        "model_version": result.model_version,
        "target": result.target,
        "instances": result.instances,
    }
    if metrics is not None:
        atomic_write_json(metrics, summary)
    console.print(
        f"best validation Dice {result.best_dice:.4f} (epoch {result.best_epoch}); "
        f"stopped by {result.stop_reason} after {result.epochs_run} epochs, {result.seconds:.0f} s"
    )
    if result.instances:
        chosen = result.instances
        console.print(
            f"instance target: thresholds chosen on val: foreground {chosen['foreground_threshold']:g}, marker "
            f"{chosen['marker_threshold']:g} (object F1 {chosen['val_object_f1']:.3f})"
        )
    console.print(
        f"model: {result.model_dir / 'model.pt'} and model.onnx (ONNX max |dp| {result.onnx_max_difference:.1e})"
    )
    if result.run_id:
        from unetops.tracking.store import tracking_uri

        console.print(f"MLflow run {result.run_id} (experiment {experiment}) in {tracking_uri()}")
    if result.model_version:
        console.print(f"registered as models:/{settings.model_name}/{result.model_version}")
