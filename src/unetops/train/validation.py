"""Validation during training: Dice of the val split by sliding-window inference, and outline overlays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from monai.inferers import sliding_window_inference
from monai.metrics import DiceMetric
from torch import nn

from unetops.fileio import atomic_write_bytes
from unetops.imageio import encode_image
from unetops.imageio.types import ImageType
from unetops.visualize import overlay_outlines

OVERLAY_IMAGES = 4


def window_maps(network: nn.Module, image: torch.Tensor, patch: int) -> torch.Tensor:
    """Class probabilities (N, K, H, W) by MONAI's sliding-window inference with Gaussian blending: the sigmoid
    of a binary model's channel, the softmax of an instance model's three."""
    with torch.no_grad():
        logits = sliding_window_inference(image, (patch, patch), 4, network, overlap=0.25, mode="gaussian")
    return torch.sigmoid(logits) if logits.shape[1] == 1 else torch.softmax(logits, dim=1)


def foreground(maps: torch.Tensor) -> torch.Tensor:
    """Nucleus probability (N, 1, H, W) of `window_maps`' output."""
    return maps if maps.shape[1] == 1 else 1.0 - maps[:, :1]


def validate(
    network: nn.Module,
    images: list[np.ndarray],
    targets: list[np.ndarray],
    patch: int,
    threshold: float,
    device: torch.device,
) -> tuple[float, int, list[np.ndarray]]:
    """The sum of foreground Dice over validation images whose mask is not empty and how many those are (sums
    of several processes add up), and the predicted masks of the first `OVERLAY_IMAGES` images (for overlays,
    so that no image goes through the network twice)."""
    network.eval()
    metric = DiceMetric(include_background=True, reduction="sum", ignore_empty=True, get_not_nans=True)
    kept = []
    for index, (image, target) in enumerate(zip(images, targets, strict=True)):
        maps = window_maps(network, torch.as_tensor(image[None], device=device), patch)
        prediction = (foreground(maps) > threshold).float()
        metric(y_pred=prediction, y=torch.as_tensor(target[None] > 0, device=device).float())
        if index < OVERLAY_IMAGES:
            kept.append(prediction[0, 0].bool().cpu().numpy())
    if not images:
        return 0.0, 0, kept
    total, counted = metric.aggregate()
    return float(total), int(counted), kept


def write_overlays(
    images: list[np.ndarray], targets: list[np.ndarray], predictions: list[np.ndarray], folder: Path
) -> None:
    """`val_<i>.png`: predicted outlines (green) and true outlines (magenta) on the first validation images."""
    for index, (image, mask, prediction) in enumerate(zip(images, targets, predictions, strict=False)):
        pixels = (np.moveaxis(image, 0, -1) * 255).round().astype(np.uint8)
        pixels = pixels[..., 0] if pixels.shape[-1] == 1 else pixels
        overlay = overlay_outlines(pixels, prediction, mask[0] > 0)
        atomic_write_bytes(folder / f"val_{index}.png", encode_image(overlay, ImageType.png))
