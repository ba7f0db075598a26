"""`train_model`: a U-Net on a built dataset, with early stopping, checkpoints, resume and MLflow tracking.

The run is a sequence of named steps over a typed `TrainingRun`: load the data, set the run up (or restore
an interrupted one), train epoch by epoch (validate, checkpoint, call the hooks), publish the best model.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from lightning_fabric import Fabric
from monai.losses import DiceCELoss
from torch import nn
from torch.utils.data import DataLoader, DistributedSampler

from unetops import __version__
from unetops.errors import DatasetError, ModelError
from unetops.fileio import atomic_write_json, output_lock, remove_temporaries
from unetops.model.checkpoint import load_checkpoint, save_checkpoint
from unetops.model.config import NetworkConfig
from unetops.model.instances import choose_instance_params
from unetops.model.metadata import ModelMetadata
from unetops.model.network import build_network
from unetops.model.onnx import export_onnx, onnx_parity
from unetops.model.reference import reference_statistics
from unetops.spec.manifest import DatasetManifest, read_manifest
from unetops.train.augment import Augmenter
from unetops.train.autosize import available_memory, choose_batch_size, choose_patch_size, choose_steps_per_epoch
from unetops.train.config import TrainConfig
from unetops.train.data import PatchDataset, Split, has_instance_labels, load_split
from unetops.train.hooks import EpochCallback, TrainingHook
from unetops.train.state import EpochReport, TrainingState, TrainResult
from unetops.train.validation import validate, window_maps, write_overlays

log = logging.getLogger(__name__)

__all__ = ["EpochReport", "TrainResult", "train_model"]


@dataclass
class SplitData:
    """The train and val splits (`load_split`) for the resolved target (binary or instances)."""

    manifest: DatasetManifest
    target: str
    train: Split
    val: Split


@dataclass
class TrainingRun:
    """Everything one training process works with."""

    config: TrainConfig
    out: Path
    data: SplitData
    fabric: Fabric
    network: nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    metadata: ModelMetadata
    patch: int
    batch: int
    steps: int
    state: TrainingState

    @property
    def last_path(self) -> Path:
        return self.out / "checkpoints" / "last.pt"

    @property
    def best_path(self) -> Path:
        return self.out / "checkpoints" / "best.pt"


def _precision(config: TrainConfig) -> str:
    if config.precision != "auto":
        return config.precision
    return "16-mixed" if torch.cuda.is_available() and config.accelerator != "cpu" else "32-true"


def _schedule(config: TrainConfig, total_steps: int) -> Callable[[int], float]:
    if config.scheduler == "constant":
        return lambda step: 1.0
    return lambda step: 0.5 * (1.0 + math.cos(math.pi * min(step, total_steps) / total_steps))


def _plan_sizes(
    config: TrainConfig, images: list[np.ndarray], device: torch.device, processes: int
) -> tuple[int, int, int]:
    """(patch, global batch, steps per epoch): the configured values, or chosen from the images and the memory
    (a batch per process, times the processes). The global batch is split evenly over the processes."""
    on_gpu = device.type == "cuda"
    sizes = [image.shape[1:] for image in images]
    patch = choose_patch_size(sizes, config.divisor, config.patch_size, on_gpu=on_gpu)
    if config.batch_size is not None and config.batch_size % processes:
        raise ModelError(
            f"a batch of {config.batch_size} does not split evenly over {processes} processes",
            fix=f"give a batch size that is a multiple of {processes}, or leave it to be chosen",
        )
    free = available_memory(device)
    per_process = choose_batch_size(
        patch, config.base_width, config.depth, len(images), free, on_gpu=on_gpu,
        requested=None if config.batch_size is None else config.batch_size // processes,
    )  # fmt: skip
    batch = per_process * processes
    return patch, batch, choose_steps_per_epoch(sizes, patch, batch, config.steps_per_epoch)


def load_data(dataset: Path, target: str = "auto") -> SplitData:
    """Step 1: the built dataset's train and val splits (both must hold images), with the training targets of
    `target` (auto: instances when the dataset has instance labels of its own, else binary)."""
    manifest = read_manifest(dataset)
    if target == "auto":
        target = "instances" if has_instance_labels(manifest) else "binary"
    train, val = load_split(dataset, manifest, "train", target), load_split(dataset, manifest, "val", target)
    if not train.images or not val.images:
        raise DatasetError(
            "training needs images in both the train and the val split",
            path=dataset,
            fix="rebuild with train and val fractions above 0",
        )
    return SplitData(manifest, target, train, val)


def set_up(data: SplitData, config: TrainConfig, out: Path, *, resume: bool) -> TrainingRun:
    """Step 2: devices, sizes, network, optimiser, schedule and metadata; the interrupted run's state when
    resuming."""
    if (out / "checkpoints" / "last.pt").exists() and not resume:
        raise ModelError(
            "run folder already holds a training run",
            path=out,
            fix="pass --resume to continue it, or choose another --out",
        )
    fabric = Fabric(
        accelerator=config.accelerator, devices=config.devices, num_nodes=config.num_nodes,
        precision=_precision(config), strategy="ddp" if config.devices * config.num_nodes > 1 else "auto",
    )  # fmt: skip
    fabric.launch()  # several processes: this one is rank 0, the launcher starts the others (or torchrun/srun did)
    fabric.seed_everything(config.seed, verbose=False)
    if fabric.device.type == "cpu":
        torch.use_deterministic_algorithms(True, warn_only=True)
    in_channels = data.manifest.spec.color_model.channels
    patch, batch, steps = _plan_sizes(config, data.train.images, fabric.device, fabric.world_size)
    architecture = NetworkConfig(
        **{key: getattr(config, key) for key in NetworkConfig.model_fields if key != "target"}, target=data.target
    )
    network = build_network(architecture, in_channels)
    if fabric.world_size > 1 and fabric.device.type == "cuda":
        network = nn.SyncBatchNorm.convert_sync_batchnorm(network)  # batch statistics over the global batch
    optimizer = torch.optim.AdamW(network.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _schedule(config, config.epochs * steps))
    metadata = ModelMetadata(
        unetops_version=__version__,
        in_channels=in_channels,
        threshold=config.threshold,
        patch_size=patch,
        divisor=config.divisor,
        dataset_version=data.manifest.version,
        dataset_spec=data.manifest.spec,
        network=architecture,
        train_config=config.model_dump(mode="json"),
        reference_stats=reference_statistics(data.train.images),
    )
    run = TrainingRun(
        config, out, data, fabric, network, optimizer, scheduler, metadata, patch, batch, steps, TrainingState()
    )
    if resume and run.last_path.exists():
        run.state = _restore(run)
    run.network, run.optimizer = fabric.setup(network, optimizer)
    return run


RUNNING_FIELDS = ("accelerator", "devices", "num_nodes", "loader_workers", "time_budget")  # how, not what


def _what_is_learnt(train_config: dict[str, Any]) -> dict[str, Any]:
    """A run's settings less those that say only how it runs: a run may resume on other devices, other
    processes (the global batch stays) or with a new time budget."""
    return {key: value for key, value in train_config.items() if key not in RUNNING_FIELDS}


def _restore(run: TrainingRun) -> TrainingState:
    """Load the interrupted run's weights, optimiser, scheduler and training state from `last.pt`."""
    payload, saved = load_checkpoint(run.last_path)
    if _what_is_learnt(saved.train_config) != _what_is_learnt(run.metadata.train_config) or (
        saved.dataset_version != run.metadata.dataset_version
    ):
        raise ModelError(
            "cannot resume: the config or the dataset differs from the interrupted run",
            path=run.last_path,
            fix="resume with the same config and dataset, or start a new --out",
        )
    run.network.load_state_dict(payload["state_dict"])
    run.optimizer.load_state_dict(payload["optimizer"])
    run.scheduler.load_state_dict(payload["scheduler"])
    log.info("resuming %s at epoch %d", run.last_path, payload["training_state"]["epoch"])
    return TrainingState.from_dict(payload["training_state"])


def _loss(config: TrainConfig, target: str) -> nn.Module:
    """Dice + cross-entropy: on the sigmoid of the one channel (binary), or on the softmax of the three classes
    with the border class weighted (instances), so that the thin line between touching nuclei is learnt."""
    if target == "binary":
        return DiceCELoss(sigmoid=True)
    weights = torch.tensor([1.0, 1.0, config.border_weight])
    return DiceCELoss(softmax=True, to_onehot_y=True, weight=weights)


def _train_epoch(run: TrainingRun, loader: Any, loss_fn: nn.Module, deadline: float | None) -> tuple[float, int, bool]:
    """One pass over `loader` (this process's shard); returns (mean loss, images seen, whether the time budget ran
    out), the loss averaged and the images summed over the processes, which all stop at the same step."""
    fabric = run.fabric
    run.network.train()
    losses: list[float] = []
    seen = 0
    out_of_time = False
    for images, masks in loader:
        run.optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(run.network(images), masks)
        fabric.backward(loss)  # gradients averaged over the processes
        run.optimizer.step()
        run.scheduler.step()
        losses.append(loss.item())
        seen += len(images)
        if deadline is not None:
            late = torch.tensor(float(time.monotonic() > deadline), device=fabric.device)
            out_of_time = bool(fabric.all_reduce(late, reduce_op="sum").item())  # if one process stops, all do
            if out_of_time:
                break
    loss_sum, seen_in_all = _summed(fabric, float(np.mean(losses)), float(seen))
    return loss_sum / fabric.world_size, int(seen_in_all), out_of_time


def _summed(fabric: Fabric, *values: float) -> list[float]:
    """`values` summed over the processes (themselves with one process)."""
    totals = torch.tensor(values, device=fabric.device, dtype=torch.float64)
    return (fabric.all_reduce(totals, reduce_op="sum") if fabric.world_size > 1 else totals).tolist()


def _validate(run: TrainingRun) -> tuple[float, list[np.ndarray]]:
    """Dice of the whole val split with rank 0's weights and batch-norm statistics (on CPU the statistics are
    per process): each process validates its share, rank 0 the first images (whose predictions are the
    overlays); returns the Dice, the same in every process, and rank 0's first predictions."""
    fabric, val = run.fabric, run.data.val
    network = run.network.module  # not the DDP wrapper: the processes validate different numbers of images
    if fabric.world_size > 1:
        for buffer in network.buffers():
            torch.distributed.broadcast(buffer, src=0)
    share = np.array_split(np.arange(len(val.images)), fabric.world_size)[fabric.global_rank]
    with fabric.autocast():
        total, counted, predictions = validate(
            network, [val.images[i] for i in share], [val.targets[i] for i in share], run.patch,
            run.config.threshold, fabric.device,
        )  # fmt: skip
    total, counted = _summed(fabric, total, counted)
    return (total / counted if counted else 0.0), predictions


def _save_checkpoints(run: TrainingRun, report: EpochReport) -> None:
    """`best.pt` (when improved) and `last.pt` (weights, optimiser, schedule, state); rank 0 only."""
    weights = {k: v.detach().cpu() for k, v in run.network.state_dict().items()}
    if report.best:
        best = run.metadata.model_copy(update={"metrics": {"val_dice": report.val_dice, "epoch": report.epoch}})
        save_checkpoint(run.best_path, weights, best)
    training = {
        "optimizer": run.optimizer.state_dict(),
        "scheduler": run.scheduler.state_dict(),
        "training_state": run.state.as_dict(),
    }
    save_checkpoint(run.last_path, weights, run.metadata, **training)


def run_epochs(run: TrainingRun, hooks: Sequence[TrainingHook], deadline: float | None) -> str:
    """Step 3: train, validate, checkpoint and report each epoch; returns why training stopped."""
    config, data = run.config, run.data
    loss_fn = _loss(config, data.target).to(run.fabric.device)
    augmenter = Augmenter(config.augment, run.metadata.in_channels)
    patches = PatchDataset(data.train.images, data.train.targets, run.patch, run.steps * run.batch, augmenter,
                           config.seed)  # fmt: skip
    fabric = run.fabric
    # the same global order in every setting: global batch k holds the same samples with 1 process or N
    order = DistributedSampler(patches, fabric.world_size, fabric.global_rank, shuffle=True, seed=config.seed)
    for index in range(run.state.epoch, config.epochs):  # index from 0; the epoch's number is index + 1
        epoch_start = time.monotonic()
        patches.set_epoch(index)
        order.set_epoch(index)
        loader = DataLoader(patches, run.batch // fabric.world_size, sampler=order, num_workers=config.loader_workers)
        shard = fabric.setup_dataloaders(loader, use_distributed_sampler=False)
        loss, seen, out_of_time = _train_epoch(run, shard, loss_fn, deadline)
        train_seconds = time.monotonic() - epoch_start
        dice, predictions = _validate(run)
        improved = dice > run.state.best_dice
        lr = run.scheduler.get_last_lr()[0]
        seconds = time.monotonic() - epoch_start
        report = EpochReport(index + 1, loss, dice, lr, seconds, train_seconds, seen, improved)
        run.state.record(report)
        if run.fabric.is_global_zero:
            _save_checkpoints(run, report)
            if improved:
                write_overlays(data.val.images, data.val.targets, predictions, run.out / "overlays")
        for hook in hooks:
            hook.on_epoch_end(report, run.state)
        if out_of_time:
            return "time-budget"
        if run.state.stale_epochs >= config.patience:
            return "early-stopping"
    return "epochs"


def publish(run: TrainingRun, stop_reason: str) -> tuple[Path, float]:
    """Step 4: the best weights to `out/model` as PyTorch and ONNX with metadata (rank 0 only).

    Returns:
        The model folder and the largest PyTorch/ONNX Runtime probability difference on a validation image.
    """
    model_dir = run.out / "model"
    if not run.fabric.is_global_zero:
        return model_dir, float("nan")
    summary = {
        "val_dice": run.state.best_dice,
        "epoch": run.state.best_epoch,
        "stop_reason": stop_reason,
        "mlflow_run_id": run.state.run_id,
    }
    network = run.network.module if hasattr(run.network, "module") else run.network
    payload, metadata = load_checkpoint(run.best_path)
    network.load_state_dict(payload["state_dict"])
    network = network.to("cpu").float().eval()
    if run.data.target == "instances":
        maps = [window_maps(network, torch.as_tensor(i[None]), run.patch)[0].numpy() for i in run.data.val.images]
        params, f1 = choose_instance_params(maps, run.data.val.instances)
        summary["val_object_f1"] = f1
        metadata = metadata.model_copy(update={"instances": params, "threshold": params.foreground_threshold})
        run.metadata = metadata.model_copy(update={"metrics": summary})
    metadata = metadata.model_copy(update={"metrics": summary})
    save_checkpoint(model_dir / "model.pt", {k: v.detach().cpu() for k, v in network.state_dict().items()}, metadata)
    export_onnx(network, metadata, model_dir / "model.onnx")
    parity = onnx_parity(network, model_dir / "model.onnx", np.stack(run.data.val.images[:1]).astype(np.float32))
    atomic_write_json(model_dir / "metadata.json", metadata.model_dump(mode="json"))
    return model_dir, parity


def _tracking_hook(run: TrainingRun, dataset: Path, experiment: str) -> TrainingHook:
    from unetops.tracking.store import git_commit
    from unetops.train.tracking import MlflowTracking

    used = {"patch_size_used": run.patch, "batch_size_used": run.batch, "steps_per_epoch_used": run.steps}
    tags = {
        "dataset_version": run.metadata.dataset_version,
        "dataset_path": str(dataset),
        "git_commit": git_commit(),
        "unetops_version": __version__,
    }
    params = {**run.config.model_dump(mode="json"), **used}
    register_as = run.config.model_name if run.config.register_model else None
    return MlflowTracking(experiment, run.out, params, tags, register_as)


def is_first_process() -> bool:
    """Whether this is the distributed run's rank 0 (or a run of one process): the one that writes and reports.
    Launchers set the rank of every process they start: torchrun `RANK`, srun `SLURM_PROCID`, Fabric's own
    launcher `LOCAL_RANK` and `NODE_RANK`."""
    for variable in ("RANK", "SLURM_PROCID"):
        if variable in os.environ:
            return os.environ[variable] == "0"
    return os.environ.get("LOCAL_RANK", "0") == "0" and os.environ.get("NODE_RANK", "0") == "0"


def train_model(
    dataset: Path,
    config: TrainConfig,
    out: Path,
    *,
    resume: bool = False,
    experiment: str | None = "unetops",
    on_epoch_end: Callable[[EpochReport], None] | None = None,
    hooks: Sequence[TrainingHook] = (),
) -> TrainResult:
    """Train on `dataset` (a folder written by `build_dataset`) and write the model to `out/model`.

    Args:
        dataset: the built dataset; its train split is trained on and its val split validated on.
        config: training settings.
        out: run folder: `checkpoints/last.pt` (resumable), `checkpoints/best.pt`, `model/` (best
            weights as `model.pt` and `model.onnx`, `metadata.json`), `overlays/`.
        resume: continue from `out/checkpoints/last.pt`; the result equals an uninterrupted run.
        experiment: MLflow experiment to track in; None turns tracking off.
        on_epoch_end: called after every epoch (progress display, tests).
        hooks: further hooks, called after the tracking hook.
    """
    started = time.monotonic()
    out.parent.mkdir(parents=True, exist_ok=True)
    first = is_first_process()
    with output_lock(out) if first else contextlib.nullcontext():  # one training per run folder
        for stale in remove_temporaries(out / "checkpoints") if first else []:
            log.info("removed %s, left by a run killed while writing it", stale)
        callbacks = [*hooks, *([EpochCallback(on_epoch_end)] if on_epoch_end else [])]
        return _train(dataset, config, out, resume, experiment, callbacks, started)


def _train(
    dataset: Path,
    config: TrainConfig,
    out: Path,
    resume: bool,
    experiment: str | None,
    hooks: list[TrainingHook],
    started: float,
) -> TrainResult:
    """`train_model`'s steps, with the run folder locked."""
    run = set_up(load_data(dataset, config.target), config, out, resume=resume)
    active: list[TrainingHook] = []
    if experiment is not None and run.fabric.is_global_zero:
        active.append(_tracking_hook(run, dataset, experiment))
    active += hooks
    budget = config.time_budget_seconds
    try:
        for hook in active:
            hook.on_start(run.state)
        stop_reason = run_epochs(run, active, None if budget is None else started + budget)
    except BaseException:
        for hook in active:
            hook.on_failure()
        raise
    model_dir, parity = publish(run, stop_reason)
    result = TrainResult(
        out=out,
        model_dir=model_dir,
        best_dice=run.state.best_dice,
        best_epoch=run.state.best_epoch,
        epochs_run=run.state.epoch,
        stop_reason=stop_reason,
        seconds=time.monotonic() - started,
        patch_size=run.patch,
        batch_size=run.batch,
        onnx_max_difference=parity,
        run_id=run.state.run_id,
        target=run.data.target,
        instances=None
        if run.metadata.instances is None
        else {**run.metadata.instances.model_dump(), "val_object_f1": run.metadata.metrics["val_object_f1"]},
    )
    for hook in active:
        hook.on_end(result)
    return result
