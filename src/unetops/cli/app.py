"""The root `unetops` command: global options, sub-commands and error reporting."""

from __future__ import annotations

import logging
import os
import signal
import sys

import typer
from rich.markup import escape

from unetops import __version__
from unetops.cli import (
    dataset_cmd,
    export_cmd,
    model_cmd,
    package_cmd,
    pipeline_cmd,
    predict_cmd,
    preprocess_cmd,
    quantify_cmd,
    sample_cmd,
    serve_cmd,
    slide_cmd,
    spec_cmd,
    train_cmd,
)
from unetops.cli.console import err_console
from unetops.errors import UnetopsError, missing_extra

app = typer.Typer(
    name="unetops",
    help="Microscopy images and masks to a versioned dataset, a tracked U-Net, predictions and nucleus counts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(spec_cmd.app, name="spec")
app.add_typer(dataset_cmd.app, name="dataset")
app.add_typer(preprocess_cmd.app, name="preprocess")
app.add_typer(model_cmd.app, name="model")
app.add_typer(pipeline_cmd.app, name="pipeline")
app.add_typer(slide_cmd.app, name="slide")
app.command("init")(pipeline_cmd.init)
app.command("sample")(sample_cmd.sample)
app.command("sample-slide")(sample_cmd.sample_slide)
app.command("train")(train_cmd.train)
app.command("predict")(predict_cmd.predict)
app.command("evaluate")(predict_cmd.evaluate)
app.command("export")(export_cmd.export)
app.command("quantify")(quantify_cmd.quantify)
app.command("serve")(serve_cmd.serve)
app.command("package")(package_cmd.package)

_state: dict[str, object] = {"debug": os.environ.get("UNETOPS_DEBUG") == "1"}
INTERRUPTED = 130  # Typer's exit code for Ctrl-C


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"unetops {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True, help="Print the version."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs."),
) -> None:
    """unetops: datasets, U-Net models and nucleus quantification for microscopy."""
    _state["debug"] = _state["debug"] or debug
    logging.basicConfig(
        level=logging.DEBUG if _state["debug"] else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if not _state["debug"]:
        logging.getLogger("mlflow").setLevel(logging.WARNING)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM ends a command the way Ctrl-C does: cleanup runs (staging folders removed, the MLflow run
    marked KILLED), then `main` says so."""
    _state["signal"] = signal.Signals(signum).name
    raise KeyboardInterrupt


def _report_interruption(code: object) -> None:
    """Typer turns Ctrl-C into exit code 130 without a word: say what happened, and how to go on."""
    name = _state.get("signal") or "Ctrl-C"
    err_console.print(
        f"[yellow]stopped by {name}[/]: outputs are either complete or absent; an interrupted training "
        "continues with `unetops train ... --resume`",
        highlight=False,
    )
    sys.exit(128 + signal.SIGTERM if name == "SIGTERM" else code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the app; a `UnetopsError` (a missing optional dependency too) is printed as
    `error: ...` without a traceback; an interruption (Ctrl-C, SIGTERM) is said as such."""
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        try:
            app(args=argv, prog_name="unetops")
        except ModuleNotFoundError as exc:
            raise missing_extra(exc) or exc from exc
        except SystemExit as exc:
            if exc.code == INTERRUPTED:
                _report_interruption(exc.code)
            raise
    except UnetopsError as exc:
        if _state["debug"]:
            raise
        err_console.print(f"[bold red]error:[/] {escape(exc.render())}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
