"""`unetops model list | show | promote`: the MLflow model registry."""

from __future__ import annotations

import json
import os

import typer
from rich.table import Table

from unetops.cli.console import console

app = typer.Typer(help="List, show and promote registered models.", no_args_is_help=True)


@app.callback()
def registry(
    tracking_uri: str = typer.Option(
        None,
        "--tracking-uri",
        envvar="MLFLOW_TRACKING_URI",
        help="MLflow store: sqlite:///path/mlflow.db or http://server:5000 (default: ./mlflow.db, never created).",
    ),
) -> None:
    """The MLflow model registry of a store that exists."""
    if tracking_uri:
        os.environ["MLFLOW_TRACKING_URI"] = tracking_uri  # what MLflow and unetops.tracking read


def _versions_table(name: str, versions: list[dict]) -> Table:
    table = Table(title=name, title_justify="left")
    for column in ("version", "aliases", "val Dice", "dataset", "trained by", "run"):
        table.add_column(column, no_wrap=column != "run")
    for v in versions:
        dice = v["metrics"].get("best_val_dice")
        table.add_row(
            v["version"],
            ", ".join(v["aliases"]),
            "" if dice is None else f"{dice:.4f}",
            v["dataset_version"] or "",
            v["user"] or "",
            v["run_id"] or "",
        )
    return table


@app.command("list")
def list_models(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Registered models, their versions, aliases and validation Dice."""
    from unetops.tracking import registry

    models = registry.list_models()
    if as_json:
        typer.echo(json.dumps(models, indent=2))
    elif not models:
        console.print("no registered models")
    for model in [] if as_json else models:
        console.print(_versions_table(model["name"], model["versions"]))


@app.command("show")
def show(
    name: str = typer.Argument(..., help="Registered model name."), as_json: bool = typer.Option(False, "--json")
) -> None:
    """Every version of one model, with its aliases, metrics and source."""
    from unetops.tracking import registry

    model = registry.show_model(name)
    if as_json:
        typer.echo(json.dumps(model, indent=2))
    else:
        console.print(_versions_table(name, model["versions"]))


@app.command("promote")
def promote(
    name: str = typer.Argument(..., help="Registered model name."),
    version: str = typer.Argument(..., help="Version number."),
    alias: str = typer.Option("production", help="Alias to point at the version."),
) -> None:
    """Point an alias (production, staging, ...) at a version; use it as models:/NAME@ALIAS."""
    from unetops.tracking import registry

    registry.promote(name, version, alias)
    console.print(f"models:/{name}@{alias} -> version {version}")
