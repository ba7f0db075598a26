"""`MlflowTracking`: the training hook that records a run in MLflow and registers its model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from unetops.train.hooks import TrainingHook
from unetops.train.state import EpochReport, TrainingState, TrainResult


class MlflowTracking(TrainingHook):
    """Parameters and tags once, metrics per epoch, the model and overlays as artifacts, a registry version.

    Args:
        experiment: MLflow experiment (created if missing).
        out: the run folder; its name is the run's name and its `model/` and `overlays/` are logged.
        params: the training settings (nested settings are flattened).
        tags: dataset version, git commit, ...
        register_as: registered model name; None registers nothing.
    """

    def __init__(
        self, experiment: str, out: Path, params: dict[str, Any], tags: dict[str, Any], register_as: str | None
    ) -> None:
        self.experiment, self.out, self.params, self.tags, self.register_as = experiment, out, params, tags, register_as
        self.tracker: Any = None

    def on_start(self, state: TrainingState) -> None:
        from unetops.tracking.store import RunTracker

        self.tracker = RunTracker(self.experiment, run_name=self.out.name, run_id=state.run_id)
        state.run_id = self.tracker.run_id  # the interrupted run is continued when resuming
        if not state.history:
            self.tracker.log_params(self.params)
            self.tracker.set_tags(self.tags)

    def on_epoch_end(self, report: EpochReport, state: TrainingState) -> None:
        metrics = {"train_loss": report.train_loss, "val_dice": report.val_dice, "learning_rate": report.learning_rate}
        self.tracker.log_metrics(metrics, step=report.epoch)

    def on_end(self, result: TrainResult) -> None:
        final = {"best_val_dice": result.best_dice, "onnx_max_difference": result.onnx_max_difference}
        self.tracker.log_metrics(final, step=result.epochs_run)
        self.tracker.log_artifacts(result.model_dir, "model")
        self.tracker.log_artifacts(self.out / "overlays", "overlays")
        if self.register_as:
            result.model_version = self.tracker.register(self.register_as)
        self.tracker.finish()

    def on_failure(self) -> None:
        if self.tracker is not None:
            self.tracker.finish("KILLED")
