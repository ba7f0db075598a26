from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from unetops.cli.app import app

runner = CliRunner()
TINY = [
    "--epochs",
    "2",
    "--depth",
    "2",
    "--base-width",
    "4",
    "--patch-size",
    "32",
    "--batch-size",
    "4",
    "--steps-per-epoch",
    "2",
]


def test_train_tracks_registers_and_the_registry_commands_see_it(tiny_dataset: Path, mlflow_home: Path) -> None:
    result = runner.invoke(
        app,
        ["train", str(tiny_dataset), "--out", "runs/a", "--metrics", "m.json", "--model-name", "cli", *TINY],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    assert "registered as models:/cli/1" in result.output and "MLflow run" in result.output
    metrics = json.loads((mlflow_home / "m.json").read_text())
    assert metrics["epochs_run"] == 2 and metrics["model_version"] == "1"
    published = json.loads((mlflow_home / "runs/a/model/metadata.json").read_text())["metrics"]
    assert f"(epoch {published['epoch']})" in result.output and metrics["best_epoch"] == published["epoch"] >= 1
    assert runner.invoke(app, ["model", "promote", "cli", "1", "--alias", "production"]).exit_code == 0
    shown = json.loads(runner.invoke(app, ["model", "show", "cli", "--json"]).output)
    assert shown["versions"][0]["aliases"] == ["production"]
    listed = runner.invoke(app, ["model", "list"], terminal_width=200)
    assert "cli" in listed.output and "production" in listed.output
    elsewhere = mlflow_home / "elsewhere"
    elsewhere.mkdir()
    os.chdir(elsewhere)
    missing = subprocess.run(
        [sys.executable, "-m", "unetops", "model", "list"], capture_output=True, text=True, timeout=120, env=no_uri()
    )
    assert missing.returncode == 1 and f"no MLflow store: {elsewhere / 'mlflow.db'} does not exist" in missing.stderr
    assert "--tracking-uri" in missing.stderr and not (elsewhere / "mlflow.db").exists()
    pointed = runner.invoke(app, ["model", "--tracking-uri", f"sqlite:///{mlflow_home / 'mlflow.db'}", "list"])
    assert pointed.exit_code == 0 and "cli" in pointed.output


def test_train_without_tracking_and_bad_flags(tiny_dataset: Path, mlflow_home: Path) -> None:
    result = runner.invoke(app, ["train", str(tiny_dataset), "--out", "runs/b", "--no-track", *TINY])
    assert result.exit_code == 0 and "MLflow run" not in result.output
    assert not (mlflow_home / "mlflow.db").exists()
    bad = runner.invoke(app, ["train", str(tiny_dataset), "--out", "runs/c", "--architecture", "resnet"])
    assert bad.exit_code != 0 and "architecture" in str(bad.exception)


def test_init_and_pipeline_commands(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "p")])
    assert result.exit_code == 0 and (tmp_path / "p" / "dvc.yaml").is_file()
    assert runner.invoke(app, ["pipeline", "run", str(tmp_path / "p"), "--stage", "nope"]).exit_code != 0


def test_preprocess_commands(sample, tmp_path: Path) -> None:
    image = next((sample.source / "ER" / "images").glob("*.png"))
    fitted = runner.invoke(app, ["preprocess", "fit-stain", str(image), "--method", "reinhard"])
    assert fitted.exit_code == 0 and json.loads(fitted.output)["op"] == "reinhard"
    (tmp_path / "ops.json").write_text(json.dumps([{"op": "clahe"}, json.loads(fitted.output)]))
    out = tmp_path / "grid.png"
    preview = runner.invoke(
        app, ["preprocess", "preview", str(image), str(image), "--ops", str(tmp_path / "ops.json"), "-o", str(out)]
    )
    assert preview.exit_code == 0 and out.is_file()
    assert runner.invoke(app, ["preprocess", "fit-stain", str(image), "--method", "vahadane"]).exit_code != 0


def no_uri() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}


LONG_RUN = {"epochs": 5000, "patience": 10000, "depth": 2, "base_width": 4, "patch_size": 32, "batch_size": 4}


def start_training(home: Path, dataset: Path, *extra: str) -> subprocess.Popen[str]:
    """`unetops train` in a subprocess, tracked in `home`'s store, for long enough to be interrupted."""
    # epochs of 20 steps: a signal lands in training, as in real runs, not in the per-epoch MLflow write
    (home / "long.yaml").write_text(json.dumps({"train": {**LONG_RUN, "steps_per_epoch": 20}}))
    command = [sys.executable, "-m", "unetops", "train", str(dataset), "--config", "long.yaml", "--out", "run"]
    # stderr to a file, not a pipe: a long run's progress output must never fill a pipe nobody reads yet (the
    # process would block writing and could not answer a signal)
    with (home / "train-stderr.log").open("w") as log:
        return subprocess.Popen([*command, "--no-register", *extra], cwd=home, env=no_uri(), stderr=log, text=True,
                                preexec_fn=_sigint_as_in_a_terminal)  # fmt: skip


def _sigint_as_in_a_terminal() -> None:
    """A command in a terminal answers Ctrl-C; one started in the background inherits SIGINT ignored (the shell
    sets that for `&` jobs, and so for a test run from one), so restore the default before it starts."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def stderr_of(home: Path) -> str:
    return (home / "train-stderr.log").read_text()


def after_next_checkpoint(home: Path, process: subprocess.Popen[str]) -> None:
    """Wait until the run writes (another) `last.pt`: an epoch has ended, training is under way."""
    last = home / "run" / "checkpoints" / "last.pt"
    before = last.stat().st_mtime_ns if last.exists() else 0
    deadline = time.monotonic() + 120
    while not last.exists() or last.stat().st_mtime_ns == before:
        assert process.poll() is None and time.monotonic() < deadline, stderr_of(home)
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be interrupted"


def run_status(home: Path) -> tuple[str, dict[str, str]]:
    from unetops.tracking.store import client

    runs = client().search_runs([client().get_experiment_by_name("unetops").experiment_id])
    assert len(runs) == 1  # one run, continued by every resume
    return runs[0].info.status, runs[0].data.tags


def test_signals_end_training_cleanly_and_resume_goes_on(tiny_dataset: Path, mlflow_home: Path) -> None:
    process = start_training(mlflow_home, tiny_dataset)
    after_next_checkpoint(mlflow_home, process)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 143
    stderr = stderr_of(mlflow_home)
    assert "stopped by SIGTERM" in stderr and "--resume" in stderr and "Traceback" not in stderr
    assert run_status(mlflow_home)[0] == "KILLED"

    stale = mlflow_home / "run" / "checkpoints" / ".last.pt.x1y2.tmp"  # left by a kill during a checkpoint write
    stale.write_bytes(b"half a checkpoint")
    process = start_training(mlflow_home, tiny_dataset, "--resume")
    after_next_checkpoint(mlflow_home, process)
    assert not stale.exists()
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 130 and "stopped by Ctrl-C" in stderr_of(mlflow_home)
    assert run_status(mlflow_home)[0] == "KILLED"

    process = start_training(mlflow_home, tiny_dataset, "--resume")
    after_next_checkpoint(mlflow_home, process)
    process.kill()  # SIGKILL: nothing runs; the run stays RUNNING until the next resume says what happened
    process.wait(timeout=60)
    assert run_status(mlflow_home)[0] == "RUNNING"
    # long enough never to end between two of the test's looks, however loaded the machine; a new time budget
    # (allowed on resume: it says how the run runs, not what it learns) ends it cleanly
    process = start_training(mlflow_home, tiny_dataset, "--resume", "--time-budget", "3s")
    assert process.wait(timeout=300) == 0, stderr_of(mlflow_home)
    status, tags = run_status(mlflow_home)
    assert status == "FINISHED" and tags["unetops.killed_attempts"] == "1"
