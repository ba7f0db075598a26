from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from helpers import TINY_TRAIN, rgb_image, write_image
from unetops.cli.app import app
from unetops.tracking.store import client

runner = CliRunner()


def test_predict_reports_unreadable_files_and_exits_1(tiny_model: Path, tmp_path: Path) -> None:
    write_image(tmp_path / "in" / "a.png", rgb_image(40))
    (tmp_path / "in" / "b.png").write_text("text")
    result = runner.invoke(
        app,
        ["predict", str(tiny_model), str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--backend", "torch"],
        terminal_width=200,
    )
    assert result.exit_code == 1 and "skipped" in result.output and "b.png" in result.output
    assert (tmp_path / "out" / "a_mask.png").is_file()


def test_export_command(tiny_model: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["export", str(tiny_model), "--format", "torchscript", "-o", str(tmp_path / "m.pt")], terminal_width=200
    )
    assert result.exit_code == 0 and (tmp_path / "m.pt").is_file() and "max probability difference" in result.output


def test_evaluate_writes_the_report_and_logs_to_the_models_run(tiny_dataset: Path, mlflow_home: Path) -> None:
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in TINY_TRAIN.items() if k != "patience"]
    trained = runner.invoke(app, ["train", str(tiny_dataset), "--out", "runs/a", "--model-name", "ev", *flags])
    assert trained.exit_code == 0, trained.output
    result = runner.invoke(
        app, ["evaluate", "models:/ev/1", str(tiny_dataset), "--split", "val", "--out", "eval"], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    assert (mlflow_home / "eval" / "report.html").is_file() and "logged to MLflow run" in result.output
    run_id = client().get_model_version("ev", "1").run_id
    run = client().get_run(run_id)
    history = client().get_metric_history(run_id, "val_dice")
    assert len(history) == len(client().get_metric_history(run_id, "train_loss"))  # no evaluation point in the curve
    assert "eval/val/dice" in run.data.metrics and "eval/val/aji" in run.data.metrics
    assert not any(name.startswith("eval/test/") for name in run.data.metrics)  # only the split asked for
    assert {a.path for a in client().list_artifacts(run_id, "evaluation")} >= {"evaluation/report.html"}


def test_predict_and_evaluate_take_a_training_checkpoint(tiny_model: Path, tiny_dataset: Path, tmp_path: Path) -> None:
    best = tiny_model.parent / "checkpoints" / "best.pt"
    write_image(tmp_path / "in" / "a.png", rgb_image(40))
    predicted = runner.invoke(app, ["predict", str(best), str(tmp_path / "in"), "-o", str(tmp_path / "out")])
    assert predicted.exit_code == 0, predicted.output
    assert (tmp_path / "out" / "a_mask.png").is_file()
    evaluated = runner.invoke(
        app, ["evaluate", str(best), str(tiny_dataset), "--out", str(tmp_path / "eval"), "--no-track"]
    )
    assert evaluated.exit_code == 0, evaluated.output
    summary = json.loads((tmp_path / "eval" / "summary.json").read_text())
    assert set(summary["splits"]) == {"val", "test"}  # side by side by default


def test_predict_warns_about_a_grey_image_for_a_colour_model(tiny_model: Path, tmp_path: Path) -> None:
    from unetops.sample import synthetic_ihc_tile

    tile = synthetic_ihc_tile(np.random.default_rng(2), height=64, width=64).image
    write_image(tmp_path / "in" / "colour.png", tile)
    write_image(tmp_path / "in" / "grey.png", tile.mean(axis=2).astype(np.uint8))
    result = runner.invoke(app, ["predict", str(tiny_model), str(tmp_path / "in"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "grey.png: grayscale image, but the model was trained on colour" in text
    assert "colour.png:" not in text
