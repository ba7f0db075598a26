"""`unetops spec init | schema | validate`."""

from __future__ import annotations

from pathlib import Path

import typer

from unetops.cli.console import console
from unetops.cli.options import field_option
from unetops.errors import SpecError
from unetops.fileio import atomic_write_text, dump_json
from unetops.spec import ColorModel, DatasetSpec, ImageType, OutputLayout, ResizePolicy, SplitFractions, spec_problems
from unetops.spec.load import read_spec_json

app = typer.Typer(help="Write, print the schema of, and validate dataset specs.", no_args_is_help=True)


def _emit(text: str, out: Path | None, *, force: bool = False) -> None:
    if out is None or str(out) == "-":
        typer.echo(text, nl=False)
        return
    if out.exists() and not force:
        raise SpecError("file exists", path=out, fix="pass --force to replace it")
    atomic_write_text(out, text)
    console.print(f"wrote {out}")


@app.command("init")
def init(
    out: Path = typer.Option(None, "--out", "-o", help="File to write; stdout when omitted."),
    width: int = field_option(DatasetSpec, "width"),
    height: int = field_option(DatasetSpec, "height"),
    native_size: bool = typer.Option(False, "--native-size", help="Keep every image's own size."),
    resize: ResizePolicy = field_option(DatasetSpec, "resize"),
    image_type: ImageType = field_option(DatasetSpec, "image_type"),
    color_model: ColorModel = field_option(DatasetSpec, "color_model"),
    layout: OutputLayout = field_option(DatasetSpec, "layout"),
    mask_keyword: str = field_option(DatasetSpec, "mask_keyword"),
    train: float = field_option(SplitFractions, "train"),
    val: float = field_option(SplitFractions, "val"),
    test: float = field_option(SplitFractions, "test"),
    seed: int = field_option(DatasetSpec, "seed"),
    group_pattern: str = field_option(DatasetSpec, "group_pattern"),
    pixel_size_um: float = field_option(DatasetSpec, "pixel_size_um"),
    force: bool = typer.Option(False, help="Replace an existing file."),
) -> None:
    """Write a dataset spec from flags."""
    fields = {
        "width": None if native_size else width,
        "height": None if native_size else height,
        "resize": resize,
        "image_type": image_type,
        "color_model": color_model,
        "layout": layout,
        "mask_keyword": mask_keyword,
        "split": {"train": train, "val": val, "test": test},
        "seed": seed,
        "group_pattern": group_pattern,
        "pixel_size_um": pixel_size_um,
    }
    spec, problems = spec_problems(fields)
    if spec is None:
        raise SpecError("invalid options:\n  - " + "\n  - ".join(problems))
    _emit(dump_json(spec.model_dump(mode="json")), out, force=force)


@app.command("schema")
def schema(out: Path = typer.Option(None, "--out", "-o", help="File to write; stdout when omitted.")) -> None:
    """Print the JSON Schema of the dataset spec."""
    _emit(dump_json(DatasetSpec.model_json_schema()), out, force=True)


@app.command("validate")
def validate(file: Path = typer.Argument(..., help="A spec file: ours, or the web form's JSON.")) -> None:
    """Validate a spec file, explain every problem, and print the normalised spec."""
    spec, problems = spec_problems(read_spec_json(file))
    if spec is None:
        raise SpecError(
            "invalid dataset spec:\n  - " + "\n  - ".join(problems),
            path=file,
            fix="correct the fields above; `unetops spec schema` lists every field",
        )
    console.print(f"[green]valid[/]: {file}", highlight=False)
    typer.echo(dump_json(spec.model_dump(mode="json")), nl=False)
