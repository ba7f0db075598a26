"""`unetops preprocess preview | fit-stain`."""

from __future__ import annotations

from pathlib import Path

import typer

from unetops.cli.console import console
from unetops.fileio import atomic_write_bytes, dump_json
from unetops.imageio import encode_image, image_to_uint8, read_image
from unetops.preprocess import fit_stain
from unetops.preprocess.preview import parse_ops, preview_grid
from unetops.spec import ImageType

app = typer.Typer(help="Preview and fit preprocessing operations.", no_args_is_help=True)


@app.command("preview")
def preview(
    images: list[Path] = typer.Argument(..., help="Images to preview."),
    ops: str = typer.Option(
        ...,
        help="Operation names with default parameters (clahe,equalize), or a JSON/YAML file: a list of operations, "
        "one operation (what fit-stain prints), or a spec (its `preprocess` field).",
    ),
    out: Path = typer.Option(Path("preprocess-preview.png"), "--out", "-o", help="Grid image to write (PNG)."),
    height: int = typer.Option(256, min=32, help="Row height in pixels."),
) -> None:
    """Write a before/after grid: one row per image, original left, preprocessed right."""
    operations = parse_ops(ops)
    grid = preview_grid([image_to_uint8(read_image(p)) for p in images], operations, height=height)
    atomic_write_bytes(out, encode_image(grid, ImageType.png))
    console.print(f"wrote {out} ({len(images)} images, {len(operations)} operations)")


@app.command("fit-stain")
def fit_stain_cmd(
    reference: Path = typer.Argument(..., help="A reference image whose staining the others should match."),
    method: str = typer.Option("macenko", help="macenko or reinhard."),
) -> None:
    """Print a fitted stain-normalisation operation (JSON) to add to a spec's `preprocess` list."""
    if method not in ("macenko", "reinhard"):
        raise typer.BadParameter("choose macenko or reinhard", param_hint="--method")
    image = image_to_uint8(read_image(reference))
    if image.ndim != 3:
        raise typer.BadParameter(f"{reference} is not a colour image", param_hint="REFERENCE")
    typer.echo(dump_json(fit_stain(image, method).model_dump(mode="json")), nl=False)
