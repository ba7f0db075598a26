"""The typed state of a training run: what each epoch did, what the run has reached, and its result."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class EpochReport:
    """What one epoch did. Epochs are numbered from 1, everywhere a user sees them (CLI, metadata, MLflow)."""

    epoch: int
    train_loss: float
    val_dice: float
    learning_rate: float
    seconds: float
    train_seconds: float
    images: int
    best: bool


@dataclass
class TrainingState:
    """Where a run stands; saved in every `last.pt` so that a resumed run continues exactly.

    `epoch` counts the epochs completed; `best_epoch` is the number (from 1) of the best one, 0 before any.
    """

    epoch: int = 0
    best_dice: float = -1.0
    best_epoch: int = 0
    stale_epochs: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    run_id: str | None = None

    def record(self, report: EpochReport) -> None:
        """Take in a finished epoch: history, next epoch, best score and epochs without improvement."""
        self.history.append(asdict(report))
        self.epoch = report.epoch
        if report.best:
            self.best_dice, self.best_epoch, self.stale_epochs = report.val_dice, report.epoch, 0
        else:
            self.stale_epochs += 1

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingState:
        return cls(**data)


@dataclass
class TrainResult:
    """Where the trained model is and how well it did."""

    out: Path
    model_dir: Path
    best_dice: float
    best_epoch: int
    epochs_run: int
    stop_reason: str
    seconds: float
    patch_size: int
    batch_size: int
    onnx_max_difference: float
    run_id: str | None = None
    model_version: str | None = None
    target: str = "binary"
    instances: dict[str, Any] | None = None  # an instance model's thresholds (chosen on val) and their object F1
