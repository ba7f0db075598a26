"""`train_model`: a U-Net on a built dataset, with early stopping, checkpoints, resume and MLflow tracking."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from lightning_fabric import Fabric
from monai.inferers import sliding_window_inference
from monai.losses import DiceCELoss
from monai.metrics import DiceMetric
from torch import nn
from torch.utils.data import DataLoader

from unetops import __version__
from unetops.dataset.manifest import read_manifest
from unetops.errors import DatasetError, ModelError
from unetops.export.onnx import export_onnx, onnx_parity
from unetops.fileio import atomic_write_bytes, atomic_write_json
from unetops.imageio import encode_image
from unetops.model.checkpoint import load_checkpoint, save_checkpoint
from unetops.model.metadata import ModelMetadata
from unetops.monitoring.drift import reference_statistics
from unetops.spec.model import ImageType
from unetops.train.augment import Augmenter
from unetops.train.autosize import available_memory, choose_batch_size, choose_patch_size, choose_steps_per_epoch
from unetops.train.config import TrainConfig
from unetops.train.data import PatchDataset, load_split
from unetops.train.networks import build_network
from unetops.visualize import overlay_outlines

log = logging.getLogger(__name__)
OVERLAY_IMAGES = 4


@dataclass
class EpochReport:
    """What one epoch did."""

    epoch: int
    train_loss: float
    val_dice: float
    learning_rate: float
    seconds: float
    train_seconds: float
    images: int
    best: bool


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


def _precision(config: TrainConfig) -> str:
    if config.precision != "auto":
        return config.precision
    return "16-mixed" if torch.cuda.is_available() and config.accelerator != "cpu" else "32-true"


def _window_probabilities(network: nn.Module, image: torch.Tensor, patch: int) -> torch.Tensor:
    """Sigmoid probabilities (N, 1, H, W) by MONAI's sliding-window inference with Gaussian blending."""
    with torch.no_grad():
        logits = sliding_window_inference(image, (patch, patch), 4, network, overlap=0.25, mode="gaussian")
    return torch.sigmoid(logits)


def validation_dice(
    network: nn.Module,
    images: list[np.ndarray],
    masks: list[np.ndarray],
    patch: int,
    threshold: float,
    device: torch.device,
) -> float:
    """Mean Dice over validation images whose mask is not empty."""
    network.eval()
    metric = DiceMetric(include_background=True, reduction="mean", ignore_empty=True)
    for image, mask in zip(images, masks, strict=True):
        probabilities = _window_probabilities(network, torch.as_tensor(image[None], device=device), patch)
        metric(y_pred=(probabilities > threshold).float(), y=torch.as_tensor(mask[None], device=device))
    value = metric.aggregate().item()
    return 0.0 if math.isnan(value) else float(value)


def _schedule(config: TrainConfig, total_steps: int) -> Callable[[int], float]:
    if config.scheduler == "constant":
        return lambda step: 1.0
    return lambda step: 0.5 * (1.0 + math.cos(math.pi * min(step, total_steps) / total_steps))


def _write_overlays(
    network: nn.Module,
    images: list[np.ndarray],
    masks: list[np.ndarray],
    metadata: ModelMetadata,
    folder: Path,
    device: torch.device,
) -> None:
    for index, (image, mask) in enumerate(zip(images[:OVERLAY_IMAGES], masks[:OVERLAY_IMAGES], strict=True)):
        probabilities = _window_probabilities(network, torch.as_tensor(image[None], device=device), metadata.patch_size)
        prediction = (probabilities[0, 0] > metadata.threshold).cpu().numpy()
        pixels = (np.moveaxis(image, 0, -1) * 255).round().astype(np.uint8)
        pixels = pixels[..., 0] if pixels.shape[-1] == 1 else pixels
        atomic_write_bytes(
            folder / f"val_{index}.png", encode_image(overlay_outlines(pixels, prediction, mask[0] > 0), ImageType.png)
        )


def _plan_sizes(config: TrainConfig, images: list[np.ndarray], device: torch.device) -> tuple[int, int, int]:
    """(patch, batch, steps per epoch): the configured values, or chosen from the images and the memory."""
    on_gpu = device.type == "cuda"
    sizes = [image.shape[1:] for image in images]
    patch = choose_patch_size(sizes, config.divisor, config.patch_size, on_gpu=on_gpu)
    free = available_memory(device)
    batch = choose_batch_size(
        patch, config.base_width, config.depth, len(images), free, on_gpu=on_gpu, requested=config.batch_size
    )
    return patch, batch, choose_steps_per_epoch(sizes, patch, batch, config.steps_per_epoch)


def _restore(path: Path, config: TrainConfig, dataset_version: str, network, optimizer, scheduler) -> dict:
    """Load the interrupted run's weights, optimiser, scheduler and training state from `path`."""
    payload, saved = load_checkpoint(path)
    if saved.train_config != config or saved.dataset_version != dataset_version:
        raise ModelError(
            "cannot resume: the config or the dataset differs from the interrupted run",
            path=path,
            fix="resume with the same config and dataset, or start a new --out",
        )
    network.load_state_dict(payload["state_dict"])
    optimizer.load_state_dict(payload["optimizer"])
    scheduler.load_state_dict(payload["scheduler"])
    log.info("resuming %s at epoch %d", path, payload["training_state"]["epoch"])
    return payload["training_state"]


def _start_tracking(experiment: str, out: Path, state: dict, params: dict, tags: dict):
    """An MLflow run (the interrupted one when resuming); parameters and tags are logged once."""
    from unetops.tracking.store import RunTracker

    tracker = RunTracker(experiment, run_name=out.name, run_id=state["run_id"])
    state["run_id"] = tracker.run_id
    if not state["history"]:
        tracker.log_params(params)
        tracker.set_tags(tags)
    return tracker


def _train_epoch(
    fabric: Fabric, network, loader, optimizer, scheduler, loss_fn, deadline: float | None
) -> tuple[float, int, bool]:
    """One pass over `loader`; returns (mean loss, images seen, whether the time budget ran out)."""
    network.train()
    losses: list[float] = []
    seen = 0
    for images, masks in loader:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(network(images), masks)
        fabric.backward(loss)
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
        seen += len(images)
        if deadline is not None and time.monotonic() > deadline:
            return float(np.mean(losses)), seen, True
    return float(np.mean(losses)), seen, False


def _publish(
    network: nn.Module, best_path: Path, summary: dict, out: Path, images: list[np.ndarray], masks: list[np.ndarray]
) -> tuple[Path, float]:
    """Write the best weights to `out/model` as PyTorch and ONNX with metadata, and validation overlays.

    Returns:
        The model folder and the largest PyTorch/ONNX Runtime probability difference on a validation image.
    """
    payload, metadata = load_checkpoint(best_path)
    network.load_state_dict(payload["state_dict"])
    network = network.to("cpu").float().eval()
    metadata = metadata.model_copy(update={"metrics": summary})
    model_dir = out / "model"
    save_checkpoint(model_dir / "model.pt", {k: v.detach().cpu() for k, v in network.state_dict().items()}, metadata)
    export_onnx(network, metadata, model_dir / "model.onnx")
    parity = onnx_parity(network, model_dir / "model.onnx", np.stack(images[:1]).astype(np.float32))
    atomic_write_json(model_dir / "metadata.json", metadata.model_dump(mode="json"))
    _write_overlays(network, images, masks, metadata, out / "overlays", torch.device("cpu"))
    return model_dir, parity


def train_model(
    dataset: Path,
    config: TrainConfig,
    out: Path,
    *,
    resume: bool = False,
    experiment: str | None = "unetops",
    on_epoch_end: Callable[[EpochReport], None] | None = None,
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
    """
    started = time.monotonic()
    manifest = read_manifest(dataset)
    train_images, train_masks = load_split(dataset, manifest, "train")
    val_images, val_masks = load_split(dataset, manifest, "val")
    if not train_images or not val_images:
        raise DatasetError(
            "training needs images in both the train and the val split",
            path=dataset,
            fix="rebuild with train and val fractions above 0",
        )
    last_path, best_path = out / "checkpoints" / "last.pt", out / "checkpoints" / "best.pt"
    if last_path.exists() and not resume:
        raise ModelError(
            "run folder already holds a training run",
            path=out,
            fix="pass --resume to continue it, or choose another --out",
        )

    fabric = Fabric(
        accelerator=config.accelerator, devices=config.devices, num_nodes=config.num_nodes, precision=_precision(config)
    )
    fabric.launch()
    fabric.seed_everything(config.seed, verbose=False)
    if fabric.device.type == "cpu":
        torch.use_deterministic_algorithms(True, warn_only=True)
    in_channels = manifest.spec.color_model.channels
    patch, batch, steps = _plan_sizes(config, train_images, fabric.device)
    network = build_network(config, in_channels)
    optimizer = torch.optim.AdamW(network.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _schedule(config, config.epochs * steps))
    metadata = ModelMetadata(
        unetops_version=__version__,
        in_channels=in_channels,
        threshold=config.threshold,
        patch_size=patch,
        divisor=config.divisor,
        dataset_version=manifest.version,
        dataset_spec=manifest.spec,
        train_config=config,
        reference_stats=reference_statistics(train_images),
    )
    state = {"epoch": 0, "best_dice": -1.0, "best_epoch": -1, "stale_epochs": 0, "history": [], "run_id": None}
    if resume and last_path.exists():
        state = _restore(last_path, config, manifest.version, network, optimizer, scheduler)
    network, optimizer = fabric.setup(network, optimizer)
    loss_fn = DiceCELoss(sigmoid=True)
    patches = PatchDataset(
        train_images, train_masks, patch, steps * batch, Augmenter(config.augment, in_channels), config.seed
    )
    tracker = None
    if experiment is not None and fabric.is_global_zero:
        from unetops.tracking.store import git_commit

        used = {"patch_size_used": patch, "batch_size_used": batch, "steps_per_epoch_used": steps}
        tags = {
            "dataset_version": manifest.version,
            "dataset_path": str(dataset),
            "git_commit": git_commit(),
            "unetops_version": __version__,
        }
        tracker = _start_tracking(experiment, out, state, {**config.model_dump(mode="json"), **used}, tags)

    budget = config.time_budget_seconds
    deadline = None if budget is None else started + budget
    stop_reason = "epochs"
    try:
        for epoch in range(state["epoch"], config.epochs):
            epoch_start = time.monotonic()
            patches.set_epoch(epoch)
            order = torch.Generator().manual_seed(config.seed * 1_000_003 + epoch)
            loader = DataLoader(patches, batch, shuffle=True, generator=order, num_workers=config.loader_workers)
            loader = fabric.setup_dataloaders(loader)
            loss, seen, out_of_time = _train_epoch(fabric, network, loader, optimizer, scheduler, loss_fn, deadline)
            train_seconds = time.monotonic() - epoch_start
            dice = validation_dice(network, val_images, val_masks, patch, config.threshold, fabric.device)
            improved = dice > state["best_dice"]
            elapsed = time.monotonic() - epoch_start
            report = EpochReport(epoch, loss, dice, scheduler.get_last_lr()[0], elapsed, train_seconds, seen, improved)
            state["history"].append(asdict(report))
            state["epoch"] = epoch + 1
            if improved:
                state.update(best_dice=dice, best_epoch=epoch, stale_epochs=0)
            else:
                state["stale_epochs"] += 1
            if fabric.is_global_zero:
                weights = {k: v.detach().cpu() for k, v in network.state_dict().items()}
                if improved:
                    best = metadata.model_copy(update={"metrics": {"val_dice": dice, "epoch": epoch}})
                    save_checkpoint(best_path, weights, best)
                training = {
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                    "training_state": state,
                }
                save_checkpoint(last_path, weights, metadata, **training)
                if tracker:
                    metrics = {"train_loss": loss, "val_dice": dice, "learning_rate": report.learning_rate}
                    tracker.log_metrics(metrics, step=epoch)
            if on_epoch_end:
                on_epoch_end(report)
            if out_of_time:
                stop_reason = "time-budget"
                break
            if state["stale_epochs"] >= config.patience:
                stop_reason = "early-stopping"
                break
    except BaseException:
        if tracker:
            tracker.finish("KILLED")
        raise

    summary = {
        "val_dice": state["best_dice"],
        "epoch": state["best_epoch"],
        "stop_reason": stop_reason,
        "mlflow_run_id": state["run_id"],
    }
    model_dir, parity = out / "model", float("nan")
    if fabric.is_global_zero:
        plain = network.module if hasattr(network, "module") else network
        model_dir, parity = _publish(plain, best_path, summary, out, val_images, val_masks)
    result = TrainResult(
        out=out,
        model_dir=model_dir,
        best_dice=state["best_dice"],
        best_epoch=state["best_epoch"],
        epochs_run=state["epoch"],
        stop_reason=stop_reason,
        seconds=time.monotonic() - started,
        patch_size=patch,
        batch_size=batch,
        onnx_max_difference=parity,
        run_id=state["run_id"],
    )
    if tracker:
        tracker.log_metrics({"best_val_dice": state["best_dice"], "onnx_max_difference": parity}, step=state["epoch"])
        tracker.log_artifacts(model_dir, "model")
        tracker.log_artifacts(out / "overlays", "overlays")
        if config.register_model:
            result.model_version = tracker.register(config.model_name)
        tracker.finish()
    return result
