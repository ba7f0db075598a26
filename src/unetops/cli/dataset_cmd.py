"""`unetops dataset check | build | export`."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer
from rich.table import Table

from unetops.cli.console import console, progress_bar
from unetops.dataset.build import build_dataset
from unetops.dataset.check import CheckReport, check_source
from unetops.dataset.export import ExportFormat, export_dataset
from unetops.dataset.layouts import LAYOUTS
from unetops.dataset.problems import Severity
from unetops.fileio import atomic_write_json, dump_json
from unetops.spec import load_spec
from unetops.spec.manifest import DatasetManifest

app = typer.Typer(help="Check, build and export datasets.", no_args_is_help=True)

LAYOUT_HELP = f"Force a source layout: {', '.join(LAYOUTS)} (default: detect)."
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    never = "never"


class OnError(str, Enum):
    skip = "skip"
    fail = "fail"


def problem_table(problems: list[dict], title: str) -> Table:
    table = Table(title=title, show_lines=False, title_justify="left")
    table.add_column("severity", no_wrap=True)
    table.add_column("problem", no_wrap=True)
    for column in ("file", "details", "fix"):
        table.add_column(column, overflow="fold")
    for p in problems:
        style = SEVERITY_STYLE[p["severity"]]
        table.add_row(f"[{style}]{p['severity']}[/]", p["code"], p["file"], p["message"], p["fix"])
    return table


def statistics_table(stats: dict, title: str) -> Table:
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("statistic", style="bold")
    table.add_column("value", overflow="fold")
    for key in ("items", "usable", "with_errors", "tags", "sizes"):
        if key in stats:
            table.add_row(key, str(stats[key]))
    for key in ("width", "height", "foreground_fraction", "objects_per_mask"):
        if stats.get(key):
            table.add_row(key, "  ".join(f"{k} {v:g}" for k, v in stats[key].items()))
    return table


def _print_check(report: CheckReport) -> None:
    console.print(f"source {report.source} (layout: {report.layout})", highlight=False)
    problems = [p.to_dict() for p in report.problems]
    if problems:
        console.print(problem_table(problems, f"{len(problems)} problems"))
    else:
        console.print("[green]no problems found[/]")
    console.print(statistics_table(report.statistics, "summary"))
    counts = {s.value: report.count(s) for s in Severity}
    console.print(f"errors {counts['error']}, warnings {counts['warning']}, info {counts['info']}")


@app.command("check")
def check(
    source: Path = typer.Argument(..., help="Source folder (or CSV manifest) in any supported layout."),
    layout: str = typer.Option(None, help=LAYOUT_HELP),
    mask_keyword: str = typer.Option(None, help="Suffix of mask stems in the source (default: try the common ones)."),
    group_pattern: str = typer.Option(None, help="Regex naming the slide/patient in a path (overrides --spec's)."),
    spec: Path = typer.Option(None, help="Take the group pattern and colour model from this spec."),
    json_out: Path = typer.Option(
        None, "--json", help="Also write the report as JSON to this file ('-' for stdout only)."
    ),
    fail_on: FailOn = typer.Option(FailOn.error, help="Exit with 1 when problems of this severity (or worse) exist."),
    workers: int = typer.Option(None, min=1, help="Processes to use (default: all cores)."),
) -> None:
    """Report every problem of a source dataset at once, with statistics."""
    dataset_spec = load_spec(spec) if spec is not None else None
    if group_pattern is None and dataset_spec is not None:
        group_pattern = dataset_spec.group_pattern
    with progress_bar("checking") as (on_start, on_progress):
        report = check_source(
            source,
            layout=layout,
            mask_keyword=mask_keyword,
            group_pattern=group_pattern,
            color_model=dataset_spec.color_model if dataset_spec else None,
            workers=workers,
            on_start=on_start,
            on_progress=on_progress,
        )
    if json_out is not None and str(json_out) == "-":
        typer.echo(dump_json(report.to_dict()), nl=False)
    else:
        _print_check(report)
        if json_out is not None:
            atomic_write_json(json_out, report.to_dict())
            console.print(f"report written to {json_out}")
    failing = {"error": [Severity.error], "warning": [Severity.error, Severity.warning], "never": []}[fail_on.value]
    if any(report.count(s) for s in failing):
        raise typer.Exit(1)


def _print_build(manifest: DatasetManifest, out: Path) -> None:
    console.print(f"[green]built[/] dataset {manifest.version} at {out}", highlight=False)
    console.print(
        f"  splits: {manifest.splits}   layout: {manifest.spec.layout.value}   "
        f"format: {manifest.spec.image_type.value}   colour: {manifest.spec.color_model.value}"
    )
    if manifest.skipped:
        skipped = [p for s in manifest.skipped for p in s.problems if p["severity"] == "error"]
        console.print(problem_table(skipped, f"{len(manifest.skipped)} pairs skipped"))
    fixed = [p for p in manifest.problems if p["severity"] != "error"]
    if fixed:
        console.print(f"  {len(fixed)} warnings/info fixed during the build (listed in {out / 'dataset.json'})")
    console.print(statistics_table(manifest.statistics["source"], "source summary"))


@app.command("build")
def build(
    source: Path = typer.Argument(..., help="Source folder (or CSV manifest) in any supported layout."),
    spec: Path = typer.Option(..., help="Dataset spec file (ours or the web form's JSON)."),
    out: Path = typer.Option(..., help="Folder to create for the dataset."),
    layout: str = typer.Option(None, help=LAYOUT_HELP),
    mask_keyword: str = typer.Option(None, help="Suffix of mask stems in the source (default: try the common ones)."),
    on_error: OnError = typer.Option(OnError.skip, help="skip pairs with errors (listed in the report), or fail."),
    overwrite: bool = typer.Option(False, help="Replace an existing dataset at --out."),
    workers: int = typer.Option(None, min=1, help="Processes to use (default: all cores)."),
) -> None:
    """Build a versioned dataset in the spec's form from any source layout."""
    dataset_spec = load_spec(spec)
    with progress_bar("building") as (on_start, on_progress):
        manifest = build_dataset(
            source,
            dataset_spec,
            out,
            layout=layout,
            mask_keyword=mask_keyword,
            on_error=on_error.value,
            overwrite=overwrite,
            workers=workers,
            on_start=on_start,
            on_progress=on_progress,
        )
    _print_build(manifest, out)


@app.command("export")
def export(
    dataset: Path = typer.Argument(..., help="A dataset folder written by `unetops dataset build`."),
    fmt: ExportFormat = typer.Option(..., "--format", help="nnunet (v2 raw) or pytorch-unet (data/imgs, data/masks)."),
    out: Path = typer.Option(..., help="Parent folder (nnunet) or data folder (pytorch-unet) to write."),
    dataset_id: int = typer.Option(501, min=1, max=999, help="nnU-Net dataset number."),
    name: str = typer.Option("Nuclei", help="nnU-Net dataset name."),
    overwrite: bool = typer.Option(False, help="Replace an existing export."),
) -> None:
    """Export a built dataset for nnU-Net v2 or Pytorch-UNet."""
    target = export_dataset(dataset, out, fmt, dataset_id=dataset_id, name=name, overwrite=overwrite)
    console.print(f"[green]exported[/] {dataset} as {fmt.value} to {target}", highlight=False)
