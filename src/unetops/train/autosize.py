"""Choosing patch and batch size from the data and the memory available, when the user gives none."""

from __future__ import annotations

import math
import os

import torch

MAX_AUTO_PATCH = {"cpu": 128, "gpu": 256}  # nuclei need little context; smaller patches give more updates
BYTES_PER_ACTIVATION = 4
ACTIVATIONS_PER_LEVEL = 24  # tensors kept per level for the backward pass (convs, norms, residuals, grads)
MEMORY_SHARE = 0.25


def choose_patch_size(sizes: list[tuple[int, int]], divisor: int, requested: int | None, *, on_gpu: bool) -> int:
    """The requested patch, else the largest multiple of `divisor` within the smallest image and 128 (256 on GPU)."""
    if requested is not None:
        return requested
    smallest = min(min(h, w) for h, w in sizes)
    return max(divisor, min(smallest, MAX_AUTO_PATCH["gpu" if on_gpu else "cpu"]) // divisor * divisor)


def choose_steps_per_epoch(sizes: list[tuple[int, int]], patch: int, batch: int, requested: int | None) -> int:
    """The requested steps, else enough batches of patches to cover the train pixels once."""
    if requested is not None:
        return requested
    pixels = sum(h * w for h, w in sizes)
    return max(1, math.ceil(pixels / (batch * patch * patch)))


def available_memory(device: torch.device) -> int:
    """Free bytes on the training device (GPU memory, or the machine's available RAM)."""
    if device.type == "cuda":
        return int(torch.cuda.mem_get_info(device)[0])
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def estimate_sample_bytes(patch: int, base_width: int, depth: int) -> int:
    """Rough training memory per sample: activations of every level (channels double, area quarters)."""
    per_level = sum(base_width * 2**level * (patch / 2**level) ** 2 for level in range(depth))
    return int(per_level * ACTIVATIONS_PER_LEVEL * BYTES_PER_ACTIVATION)


def choose_batch_size(
    patch: int, base_width: int, depth: int, train_images: int, free_bytes: int, *, on_gpu: bool, requested: int | None
) -> int:
    """The requested batch, else what a quarter of the free memory holds: 2..32 on GPU, 2..8 on CPU."""
    if requested is not None:
        return requested
    fits = int(free_bytes * MEMORY_SHARE // estimate_sample_bytes(patch, base_width, depth))
    ceiling = 32 if on_gpu else 8
    return max(2, min(fits, ceiling, max(2, train_images)))
