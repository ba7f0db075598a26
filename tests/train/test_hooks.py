from __future__ import annotations

from pathlib import Path

import pytest

from helpers import tiny_train_config
from unetops.train.hooks import TrainingHook
from unetops.train.loop import train_model
from unetops.train.state import EpochReport, TrainingState, TrainResult


class Recorder(TrainingHook):
    def __init__(self, fail_at: int | None = None) -> None:
        self.calls: list[str] = []
        self.fail_at = fail_at

    def on_start(self, state: TrainingState) -> None:
        self.calls.append(f"start@{state.epoch}")

    def on_epoch_end(self, report: EpochReport, state: TrainingState) -> None:
        self.calls.append(f"epoch{report.epoch}")
        assert state.epoch == report.epoch  # the state already holds the epoch
        if report.epoch == self.fail_at:
            raise KeyboardInterrupt

    def on_end(self, result: TrainResult) -> None:
        self.calls.append(f"end:{result.stop_reason}")
        result.model_version = "from-hook"

    def on_failure(self) -> None:
        self.calls.append("failure")


def test_hooks_see_start_every_epoch_and_the_end(tiny_dataset: Path, tmp_path: Path) -> None:
    hook = Recorder()
    result = train_model(tiny_dataset, tiny_train_config(), tmp_path / "run", experiment=None, hooks=[hook])
    assert hook.calls == ["start@0", "epoch1", "epoch2", "end:epochs"]
    assert result.model_version == "from-hook"


def test_hooks_hear_of_an_interruption_and_a_resume_starts_where_it_stopped(tiny_dataset: Path, tmp_path: Path) -> None:
    config = tiny_train_config(epochs=3)
    failing = Recorder(fail_at=1)
    with pytest.raises(KeyboardInterrupt):
        train_model(tiny_dataset, config, tmp_path / "run", experiment=None, hooks=[failing])
    assert failing.calls == ["start@0", "epoch1", "failure"]
    resumed = Recorder()
    train_model(tiny_dataset, config, tmp_path / "run", resume=True, experiment=None, hooks=[resumed])
    assert resumed.calls == ["start@1", "epoch2", "epoch3", "end:epochs"]


def test_state_records_best_and_stale_epochs() -> None:
    state = TrainingState()
    for epoch, dice, best in ((1, 0.5, True), (2, 0.4, False), (3, 0.45, False), (4, 0.6, True)):
        state.record(EpochReport(epoch, 1.0, dice, 1e-3, 1.0, 0.5, 8, best))
        if epoch == 3:
            assert state.stale_epochs == 2 and state.best_epoch == 1
    assert (state.epoch, state.best_dice, state.best_epoch, state.stale_epochs) == (4, 0.6, 4, 0)
    assert TrainingState.from_dict(state.as_dict()) == state
