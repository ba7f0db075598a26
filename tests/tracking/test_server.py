"""Tracking and the registry on a team's server: `mlflow server` on PostgreSQL, started by the tests."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from helpers import free_port, rgb_image, wait_until_healthy, write_image
from team_server import TrackingServer
from unetops.cli.app import app
from unetops.sample.slide import write_synthetic_slide

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
    assert all(run.returncode == 0 for run in runs), "\n\n".join(err[-6000:] for _, err in outputs)
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
    versions = json.loads(runner.invoke(app, ["model", "show", "team", "--json"]).output)["versions"]
    assert {v["user"] for v in versions} == {getpass.getuser()}  # who trained each, on the team's server
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
    assert any(tracking_server.artifacts.rglob("model.onnx"))  # the model's files are in the server's store
    assert any(tracking_server.artifacts.rglob("evaluation/summary.json"))  # and the evaluation
    slide = write_synthetic_slide(tmp_path / "slide.svs", width=1024, height=1024).path
    command = ["slide", "quantify", str(slide), "--model", "models:/team@production", "-o", "s", "--workers", "1"]
    sliced = runner.invoke(app, command)
    assert sliced.exit_code == 0 and (tmp_path / "s" / "slide" / "summary.json").is_file(), sliced.output


def test_a_missing_alias_is_a_clear_error(tracking_server: TrackingServer, tmp_path: Path) -> None:
    write_image(tmp_path / "in" / "a.png", rgb_image(64))
    result = CliRunner().invoke(app, ["predict", "models:/nobody@production", str(tmp_path / "in"), "-o", "p"])
    assert result.exit_code != 0
    message = str(result.exception) + result.output
    assert "models:/nobody@production is not in the registry at http://127.0.0.1" in message
    assert "unetops model list" in message


def test_an_unreachable_server_is_a_clear_error_at_once(monkeypatch, tiny_dataset: Path, tmp_path: Path) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://127.0.0.1:{free_port()}")  # MLflow's retries as they are
    monkeypatch.chdir(tmp_path)
    write_image(tmp_path / "in" / "a.png", rgb_image(64))
    runner = CliRunner()
    for command in (["predict", "models:/team@production", str(tmp_path / "in"), "-o", "p"], ["model", "list"],
                    ["train", str(tiny_dataset), "--out", "run", *TINY]):  # fmt: skip
        result = runner.invoke(app, command)
        message = str(result.exception) + result.output
        assert result.exit_code != 0, command
        assert "the tracking server at http://127.0.0.1" in message and "does not answer" in message, message
        assert "MLFLOW_TRACKING_URI" in message
    assert not (tmp_path / "run" / "checkpoints").exists()  # training stopped before it began


def test_refused_credentials_are_a_clear_error(monkeypatch, tmp_path: Path) -> None:
    port = free_port()
    environment = {**os.environ, "MLFLOW_AUTH_ADMIN_PASSWORD": "the-right-password-42",
                   "MLFLOW_FLASK_SERVER_SECRET_KEY": "a-test-secret-key-0123456789"}  # fmt: skip
    command = [sys.executable, "-m", "mlflow", "server", "--app-name", "basic-auth", "--backend-store-uri",
               f"sqlite:///{tmp_path / 'db.sqlite'}", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]  # fmt: skip
    with (tmp_path / "log").open("w") as log:
        server = subprocess.Popen(command, cwd=tmp_path, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}/health", server, tmp_path / "log")
        for variable, value in {"MLFLOW_TRACKING_URI": f"http://127.0.0.1:{port}", "MLFLOW_TRACKING_USERNAME": "admin",
                                "MLFLOW_TRACKING_PASSWORD": "wrong", "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"}.items():  # fmt: skip
            monkeypatch.setenv(variable, value)
        write_image(tmp_path / "in" / "a.png", rgb_image(64))
        result = CliRunner().invoke(app, ["predict", "models:/team@production", str(tmp_path / "in"), "-o", "p"])
        message = str(result.exception) + result.output
        assert result.exit_code != 0 and "refused the credentials" in message and "MLFLOW_TRACKING_PASSWORD" in message
    finally:
        server.terminate()
        server.wait(timeout=30)
