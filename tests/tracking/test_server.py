"""Tracking and the registry on a team's server: `mlflow server` on PostgreSQL, started by the tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from helpers import rgb_image, write_image
from team_server import TrackingServer
from unetops.cli.app import app

TINY = ["--epochs", "2", "--depth", "2", "--base-width", "4", "--patch-size", "32", "--batch-size", "4",
        "--steps-per-epoch", "2", "--model-name", "team"]  # fmt: skip


def train(dataset: Path, out: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "unetops", "train", str(dataset), "--out", out, *TINY]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_team_trains_at_once_promotes_and_predicts_from_the_server(
    tracking_server: TrackingServer, tiny_dataset: Path, tmp_path: Path
) -> None:
    runs = [train(tiny_dataset, f"runs/{name}") for name in ("alice", "bob")]  # two trainings at the same time
    outputs = [run.communicate(timeout=600) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err[-6000:] for _, err in outputs]
    registered = sorted(
        line.split("/")[-1] for out, _ in outputs for line in out.splitlines() if "models:/team/" in line
    )
    assert registered == ["1", "2"]  # two versions, no conflict
    assert "http://127.0.0.1" in outputs[0][0]  # tracked on the server, not in a local file
    assert not (tmp_path / "mlflow.db").exists()

    runner = CliRunner()
    listing = runner.invoke(app, ["model", "list"])
    assert listing.exit_code == 0 and "team" in listing.output
    promoted = runner.invoke(app, ["model", "promote", "team", "2", "--alias", "production"])
    assert promoted.exit_code == 0 and "version 2" in promoted.output
    shown = runner.invoke(app, ["model", "show", "team"])
    assert shown.exit_code == 0 and "production" in shown.output
    write_image(tmp_path / "in" / "a.png", rgb_image(64))
    predicted = runner.invoke(
        app, ["predict", "models:/team@production", str(tmp_path / "in"), "-o", str(tmp_path / "p")]
    )
    assert predicted.exit_code == 0, predicted.output
    assert (tmp_path / "p" / "a_mask.png").is_file()
    quantified = runner.invoke(app, ["quantify", str(tmp_path / "in"), "--model", "models:/team@production", "-o", "q"])
    assert quantified.exit_code == 0 and (tmp_path / "q" / "images.csv").is_file(), quantified.output
    evaluated = runner.invoke(app, ["evaluate", "models:/team@production", str(tiny_dataset), "--out", "e"])
    assert evaluated.exit_code == 0 and "logged to MLflow run" in evaluated.output, evaluated.output
    assert any(tracking_server.artifacts.rglob("model.onnx"))
    assert any(
        tracking_server.artifacts.rglob("evaluation/summary.json")
    )  # evaluation logged to the server  # the model's files are in the server's artifact store


def test_a_missing_alias_is_a_clear_error(tracking_server: TrackingServer, tmp_path: Path) -> None:
    write_image(tmp_path / "in" / "a.png", rgb_image(64))
    result = CliRunner().invoke(app, ["predict", "models:/nobody@production", str(tmp_path / "in"), "-o", "p"])
    assert result.exit_code != 0
    message = str(result.exception) + result.output
    assert "models:/nobody@production is not in the registry at http://127.0.0.1" in message
    assert "unetops model list" in message


def test_an_unreachable_server_is_a_clear_error(monkeypatch, tmp_path: Path) -> None:
    from helpers import free_port

    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    write_image(tmp_path / "in" / "a.png", rgb_image(64))
    result = CliRunner().invoke(app, ["predict", "models:/team@production", str(tmp_path / "in"), "-o", "p"])
    message = str(result.exception) + result.output
    assert result.exit_code != 0 and "cannot reach the tracking server at http://127.0.0.1" in message
    assert "MLFLOW_TRACKING_URI" in message
