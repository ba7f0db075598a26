"""`unetops init` and `unetops pipeline run`: the reproducible pipeline (with or without DVC)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from unetops.cli.console import console
from unetops.pipeline.run import load_stages, run_pipeline
from unetops.pipeline.scaffold import scaffold_project
from unetops.spec import load_spec

app = typer.Typer(help="Run a scaffolded pipeline without DVC.", no_args_is_help=True)


def init(
    folder: Path = typer.Argument(..., help="Project folder to create."),
    source: Path = typer.Option(None, help="Your source dataset (default: generated sample data)."),
    spec: Path = typer.Option(None, help="Dataset spec to copy (default: 256x256 RGB PNG, split by slide)."),
    force: bool = typer.Option(False, help="Replace existing project files."),
) -> None:
    """Scaffold a project: spec.json, params.yaml and dvc.yaml (sample, check, build, train, evaluate)."""
    written = scaffold_project(folder, source=source, spec=load_spec(spec) if spec else None, force=force)
    console.print(f"wrote {', '.join(p.name for p in written)} in {folder}")
    console.print(f"run it with `dvc repro` (DVC installed) or `unetops pipeline run {folder}`")


@app.command("run")
def run(
    project: Path = typer.Argument(Path("."), help="Project folder holding dvc.yaml."),
    stage: list[str] = typer.Option(None, help="Run only these stages (repeatable); default: all."),
) -> None:
    """Run the pipeline's stages in order, as `dvc repro` would, without DVC."""
    run_pipeline(project, stages=stage or None, echo=lambda line: console.print(f"[bold]{line}[/]", highlight=False))
    for name, definition in load_stages(project).items():
        for metric in definition.get("metrics", []):
            path = project / (next(iter(metric)) if isinstance(metric, dict) else metric)
            if path.exists():
                console.print(f"{name} metrics ({path}): {json.dumps(json.loads(path.read_text()))}", highlight=False)
