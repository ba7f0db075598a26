"""`unetops export`: ONNX or TorchScript, checked against PyTorch."""

from __future__ import annotations

from pathlib import Path

import typer

from unetops.cli.console import console
from unetops.model.export import ExportFormat


def export(
    model: str = typer.Argument(..., help="Model: a checkpoint file, a run's model folder, or models:/NAME@ALIAS."),
    fmt: ExportFormat = typer.Option(ExportFormat.onnx, "--format", help="onnx or torchscript."),
    out: Path = typer.Option(None, "--out", "-o", help="File to write (default: beside the checkpoint)."),
) -> None:
    """Export a model with its metadata; refused if its probabilities differ from PyTorch's by 1e-4 or more."""
    from unetops.model.export import export_model

    path, difference = export_model(model, fmt, out)
    console.print(f"wrote {path} (max probability difference to PyTorch {difference:.1e})")
