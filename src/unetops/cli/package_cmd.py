"""`unetops package`: a model as a ready Docker build context for the serving image."""

from __future__ import annotations

from pathlib import Path

import typer

from unetops.cli.console import console


def package(
    model: str = typer.Argument(..., help="Model folder, model.onnx, or models:/NAME@ALIAS."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write (the Docker build context)."),
    base_image: str = typer.Option(
        None, help="Serving image to build FROM (default ghcr.io/unetops/unetops-serve:VERSION)."
    ),
    overwrite: bool = typer.Option(False, help="Replace an existing folder."),
) -> None:
    """Write OUT/ with the ONNX model, its metadata and a Dockerfile that bakes it into the serving image."""
    from unetops.deploy.package import DEFAULT_BASE, package_model

    package_model(model, out, base_image=base_image or DEFAULT_BASE, overwrite=overwrite)
    console.print(f"wrote {out}: docker build -t my-model {out} && docker run -p 8000:8000 my-model")
