"""`export_model`: ONNX or TorchScript from a checkpoint, refused unless it matches PyTorch (parity < 1e-4)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from unetops.errors import UnetopsError
from unetops.export.formats import ExportFormat
from unetops.export.onnx import export_onnx, onnx_parity
from unetops.export.torchscript import export_torchscript, torchscript_parity
from unetops.inference.backends import TorchLogits
from unetops.model.checkpoint import load_checkpoint
from unetops.sample import synthetic_ihc_tile
from unetops.tracking.registry import resolve_model

PARITY_LIMIT = 1e-4


def parity_inputs(in_channels: int, size: int) -> np.ndarray:
    """Two inputs: uniform noise, and a synthetic IHC tile (grey for one-channel models), both in [0, 1]."""
    rng = np.random.default_rng(0)
    noise = rng.random((in_channels, size, size), dtype=np.float32)
    tile = synthetic_ihc_tile(rng, height=size, width=size).image.astype(np.float32) / 255.0
    tissue = tile.mean(axis=2, keepdims=True) if in_channels == 1 else tile
    return np.stack([noise, np.moveaxis(tissue, -1, 0)])


def export_model(reference: str | Path, fmt: ExportFormat, out: Path | None = None) -> tuple[Path, float]:
    """Export a model (path or `models:/...`); returns the file written and the measured parity.

    Raises:
        UnetopsError: the exported model's probabilities differ from PyTorch's by `PARITY_LIMIT` or more.
    """
    checkpoint = resolve_model(reference)
    _, metadata = load_checkpoint(checkpoint)
    network = TorchLogits(checkpoint).network
    target = out or checkpoint.with_suffix(".onnx" if fmt is ExportFormat.onnx else ".torchscript.pt")
    inputs = parity_inputs(metadata.in_channels, metadata.patch_size)
    if fmt is ExportFormat.onnx:
        export_onnx(network, metadata, target)
        difference = onnx_parity(network, target, inputs)
    else:
        export_torchscript(network, metadata, target)
        difference = torchscript_parity(network, target, inputs)
    if not difference < PARITY_LIMIT:
        target.unlink(missing_ok=True)
        raise UnetopsError(
            f"exported {fmt.value} model differs from PyTorch by {difference:.2e} (limit {PARITY_LIMIT})",
            path=checkpoint,
        )
    return target, difference
