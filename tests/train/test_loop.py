from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers import tiny_train_config
from unetops.dataset.build import build_dataset
from unetops.errors import ModelError
from unetops.model.checkpoint import load_checkpoint
from unetops.sample import SampleSummary
from unetops.spec import ColorModel, DatasetSpec
from unetops.train.loop import EpochReport, train_model


def weights(path: Path) -> dict[str, torch.Tensor]:
    return load_checkpoint(path)[0]["state_dict"]


def same_weights(a: Path, b: Path) -> bool:
    wa, wb = weights(a), weights(b)
    return wa.keys() == wb.keys() and all(torch.equal(wa[k], wb[k]) for k in wa)


def test_outputs_and_metadata(tiny_dataset: Path, tmp_path: Path) -> None:
    result = train_model(tiny_dataset, tiny_train_config(), tmp_path / "run", experiment=None)
    assert result.epochs_run == 2 and result.stop_reason == "epochs" and 0 <= result.best_dice <= 1
    for name in (
        "checkpoints/last.pt",
        "checkpoints/best.pt",
        "model/model.pt",
        "model/model.onnx",
        "model/metadata.json",
    ):
        assert (tmp_path / "run" / name).is_file()
    _, metadata = load_checkpoint(tmp_path / "run" / "model" / "model.pt")
    assert metadata.in_channels == 3 and metadata.patch_size == 32 and metadata.threshold == 0.5
    assert metadata.dataset_version.startswith("ds-") and metadata.dataset_spec.width == 64
    assert len(metadata.reference_stats["channel_mean"]) == 3
    assert (
        json.loads((tmp_path / "run" / "model" / "metadata.json").read_text())["metrics"]["epoch"] == result.best_epoch
    )
    assert result.onnx_max_difference < 1e-4
    assert len(list((tmp_path / "run" / "overlays").glob("*.png"))) >= 1


def test_same_seed_same_weights(tiny_dataset: Path, tmp_path: Path) -> None:
    train_model(tiny_dataset, tiny_train_config(), tmp_path / "a", experiment=None)
    train_model(tiny_dataset, tiny_train_config(), tmp_path / "b", experiment=None)
    train_model(tiny_dataset, tiny_train_config(seed=1), tmp_path / "c", experiment=None)
    assert same_weights(tmp_path / "a/checkpoints/last.pt", tmp_path / "b/checkpoints/last.pt")
    assert not same_weights(tmp_path / "a/checkpoints/last.pt", tmp_path / "c/checkpoints/last.pt")


class Interrupt(Exception):
    pass


def test_resume_after_an_interruption_equals_an_uninterrupted_run(tiny_dataset: Path, tmp_path: Path) -> None:
    config = tiny_train_config(epochs=4)
    train_model(tiny_dataset, config, tmp_path / "whole", experiment=None)

    def stop_after_two(report: EpochReport) -> None:
        if report.epoch == 2:
            raise Interrupt

    with pytest.raises(Interrupt):
        train_model(tiny_dataset, config, tmp_path / "cut", experiment=None, on_epoch_end=stop_after_two)
    assert load_checkpoint(tmp_path / "cut/checkpoints/last.pt")[0]["training_state"]["epoch"] == 2
    result = train_model(tiny_dataset, config, tmp_path / "cut", resume=True, experiment=None)
    assert result.epochs_run == 4
    assert same_weights(tmp_path / "whole/checkpoints/last.pt", tmp_path / "cut/checkpoints/last.pt")


def test_existing_run_needs_resume_and_the_same_config(tiny_dataset: Path, tmp_path: Path) -> None:
    train_model(tiny_dataset, tiny_train_config(), tmp_path / "run", experiment=None)
    with pytest.raises(ModelError, match="already holds a training run"):
        train_model(tiny_dataset, tiny_train_config(), tmp_path / "run", experiment=None)
    with pytest.raises(ModelError, match="config or the dataset differs"):
        train_model(tiny_dataset, tiny_train_config(learning_rate=0.1), tmp_path / "run", resume=True, experiment=None)


def test_time_budget_stops_cleanly(tiny_dataset: Path, tmp_path: Path) -> None:
    result = train_model(
        tiny_dataset, tiny_train_config(epochs=1000, time_budget="1s"), tmp_path / "run", experiment=None
    )
    assert result.stop_reason == "time-budget" and result.epochs_run < 1000
    assert (tmp_path / "run" / "model" / "model.pt").is_file()


def test_early_stopping(tiny_dataset: Path, tmp_path: Path) -> None:
    result = train_model(
        tiny_dataset, tiny_train_config(epochs=50, patience=1, learning_rate=1e-9), tmp_path / "run", experiment=None
    )
    assert result.stop_reason == "early-stopping" and result.epochs_run < 50


def test_grayscale_dataset_trains_a_one_channel_model(sample: SampleSummary, tmp_path: Path) -> None:
    spec = DatasetSpec(width=64, height=64, color_model=ColorModel.grayscale, group_pattern=r"(slide\d+)")
    build_dataset(sample.source, spec, tmp_path / "gray", workers=1)
    train_model(tmp_path / "gray", tiny_train_config(epochs=1), tmp_path / "run", experiment=None)
    payload, metadata = load_checkpoint(tmp_path / "run" / "model" / "model.pt")
    assert metadata.in_channels == 1
    first_conv = next(v for k, v in payload["state_dict"].items() if v.ndim == 4)
    assert first_conv.shape[1] == 1


def test_learns_the_sample(tiny_dataset: Path, tmp_path: Path) -> None:
    """Not a benchmark: a few seconds of training must beat an untrained network by a wide margin."""
    result = train_model(
        tiny_dataset, tiny_train_config(epochs=15, base_width=8, steps_per_epoch=4), tmp_path / "run", experiment=None
    )
    assert result.best_dice > 0.6
    assert np.isfinite(result.best_dice)


def test_loader_workers_do_not_change_the_result(tiny_dataset: Path, tmp_path: Path) -> None:
    train_model(tiny_dataset, tiny_train_config(), tmp_path / "inline", experiment=None)
    train_model(tiny_dataset, tiny_train_config(loader_workers=1), tmp_path / "worker", experiment=None)
    assert same_weights(tmp_path / "inline/checkpoints/last.pt", tmp_path / "worker/checkpoints/last.pt")
