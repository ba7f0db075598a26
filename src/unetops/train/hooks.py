"""Hooks the training loop calls: at the start, after every epoch, at the end, and when it fails.

The loop knows nothing of MLflow or progress bars; those are hooks (`unetops.train.tracking`, the CLI).
"""

from __future__ import annotations

from collections.abc import Callable

from unetops.train.state import EpochReport, TrainingState, TrainResult


class TrainingHook:
    """Base hook: every method does nothing; override the ones you need."""

    def on_start(self, state: TrainingState) -> None:
        """Before the first epoch (of this process: a resumed run starts at `state.epoch`)."""

    def on_epoch_end(self, report: EpochReport, state: TrainingState) -> None:
        """After an epoch's checkpoints are written."""

    def on_end(self, result: TrainResult) -> None:
        """After the model is published; a hook may fill in `result` (the registered version)."""

    def on_failure(self) -> None:
        """The run ended by an exception (or an interrupt) before it finished."""


class EpochCallback(TrainingHook):
    """A plain `fn(report)` called after every epoch (progress displays, tests)."""

    def __init__(self, fn: Callable[[EpochReport], None]) -> None:
        self.fn = fn

    def on_epoch_end(self, report: EpochReport, state: TrainingState) -> None:
        self.fn(report)
