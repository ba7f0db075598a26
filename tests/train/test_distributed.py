"""Distributed data parallel training on two CPU processes (gloo), started by Fabric's launcher."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers import tiny_train_config
from unetops.errors import ModelError
from unetops.model.checkpoint import load_checkpoint
from unetops.model.network import build_network
from unetops.train.loop import _plan_sizes, load_data
from unetops.train.validation import validate

SCRIPT = Path(__file__).with_name("distributed_run.py")
TESTS = str(Path(__file__).parents[1])
CPU = torch.device("cpu")


def train(dataset: Path, out: Path, devices: int, *options: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": TESTS}
    command = [sys.executable, str(SCRIPT), str(dataset), str(out), str(devices), "4", *options]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=600)


def steps(out: Path, rank: int) -> list[dict]:
    return [json.loads(line) for line in (out / f"rank{rank}.jsonl").read_text().splitlines()]


def update(out: Path) -> torch.Tensor:
    """How far training moved the weights (learnt parameters, not batch-norm statistics)."""
    start = torch.load(out / "initial.pt")
    end = load_checkpoint(out / "checkpoints" / "last.pt")[0]["state_dict"]
    keys = [k for k in start if start[k].is_floating_point() and "running" not in k]
    return torch.cat([(end[k] - start[k]).flatten() for k in keys])


@pytest.fixture(scope="module")
def runs(tiny_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("distributed")
    for name, devices in (("two", 2), ("one", 1)):
        done = train(tiny_dataset, folder / name, devices)
        assert done.returncode == 0, done.stderr[-3000:]
    return {"two": folder / "two", "one": folder / "one"}


def test_both_processes_hold_the_same_weights_after_every_step(runs: dict[str, Path]) -> None:
    rank0, rank1 = steps(runs["two"], 0), steps(runs["two"], 1)
    assert [s["epoch"] for s in rank0] == [1, 2, 3, 4]  # one step per epoch
    assert [s["weights"] for s in rank0] == [s["weights"] for s in rank1]
    assert len({s["weights"] for s in rank0}) == 4  # and they changed at every step
    assert [s["seen"] for s in rank0] == [4, 4, 4, 4]  # the global batch: two shards of two


def test_two_processes_learn_what_one_learns_with_the_same_global_batch(runs: dict[str, Path]) -> None:
    two, one = steps(runs["two"], 0), steps(runs["one"], 0)
    np.testing.assert_allclose([s["loss"] for s in two], [s["loss"] for s in one], rtol=0.02)
    moved_two, moved_one = update(runs["two"]), update(runs["one"])
    # the same samples in every global batch and averaged gradients; on CPU, batch-norm statistics are taken per
    # process (PyTorch synchronises them on GPUs only), so the updates agree closely but not exactly
    assert torch.nn.functional.cosine_similarity(moved_two, moved_one, dim=0) > 0.9
    assert (moved_two - moved_one).norm() < 0.5 * moved_one.norm()


def test_the_processes_share_validation_and_score_rank_0s_model(runs: dict[str, Path], tiny_dataset: Path) -> None:
    rank0, rank1 = steps(runs["two"], 0), steps(runs["two"], 1)
    assert [s["dice"] for s in rank0] == [s["dice"] for s in rank1]  # each validated half, both know the whole
    payload, metadata = load_checkpoint(runs["two"] / "checkpoints" / "last.pt")
    network = build_network(metadata.network, metadata.in_channels)
    network.load_state_dict(payload["state_dict"])
    val = load_data(tiny_dataset).val
    assert rank0[-1]["validated"] + rank1[-1]["validated"] == len(val.images) > 1
    assert rank0[-1]["validated"] >= rank1[-1]["validated"] > 0
    total, counted, _ = validate(network, val.images, val.targets, metadata.patch_size, metadata.threshold, CPU)
    assert rank0[-1]["dice"] == pytest.approx(total / counted, abs=1e-6)  # the whole split, in one process


def test_only_rank_0_writes_and_a_distributed_run_resumes(
    runs: dict[str, Path], tiny_dataset: Path, tmp_path: Path
) -> None:
    assert sorted(p.name for p in (runs["two"] / "model").iterdir()) == ["metadata.json", "model.onnx", "model.pt"]
    cut = train(tiny_dataset, tmp_path / "cut", 2, "2")
    assert cut.returncode != 0 and "Interrupt" in cut.stderr
    assert load_checkpoint(tmp_path / "cut" / "checkpoints" / "last.pt")[0]["training_state"]["epoch"] == 2
    resumed = train(tiny_dataset, tmp_path / "cut", 2, "--resume")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert [s["epoch"] for s in steps(tmp_path / "cut", 1)] == [1, 2, 3, 4]
    assert steps(tmp_path / "cut", 0)[-1]["weights"] == steps(runs["two"], 0)[-1]["weights"]


def test_the_command_trains_on_two_processes_into_one_mlflow_run(
    tiny_dataset: Path, mlflow_home: Path, tmp_path: Path
) -> None:
    from mlflow import MlflowClient

    settings = ["--epochs", "2", "--depth", "2", "--base-width", "4", "--patch-size", "32", "--batch-size", "4",
                "--steps-per-epoch", "2", "--accelerator", "cpu", "--devices", "2", "--model-name", "ddp-test"]  # fmt: skip
    command = [sys.executable, "-m", "unetops", "train", str(tiny_dataset), "--out", str(tmp_path / "run"), *settings]
    done = subprocess.run(command, cwd=mlflow_home, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("best validation Dice") == 1  # rank 0 reports
    client = MlflowClient(f"sqlite:///{mlflow_home / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("unetops")
    assert len(client.search_runs([experiment.experiment_id])) == 1
    assert [str(v.version) for v in client.search_model_versions("name='ddp-test'")] == ["1"]


def test_a_global_batch_must_split_evenly_over_the_processes(tiny_dataset: Path) -> None:
    images = [np.zeros((3, 64, 64), np.float32)] * 4
    with pytest.raises(ModelError, match="does not split evenly over 2 processes"):
        _plan_sizes(tiny_train_config(batch_size=5), images, torch.device("cpu"), 2)
    assert _plan_sizes(tiny_train_config(batch_size=4), images, torch.device("cpu"), 2)[1] == 4
