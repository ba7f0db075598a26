"""`export_model`: ONNX or TorchScript from a checkpoint, refused unless it matches PyTorch (parity < 1e-4).

Importable without PyTorch (the CLI reads `ExportFormat` from here); the export itself imports it.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import numpy as np

from unetops.errors import UnetopsError
from unetops.sample import synthetic_ihc_tile
from unetops.tracking.registry import resolve_model

PARITY_LIMIT = 1e-4


class ExportFormat(str, Enum):
    onnx = "onnx"
    torchscript = "torchscript"


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
    from unetops.model.backends import TorchLogits
    from unetops.model.onnx import export_onnx, onnx_parity
    from unetops.model.torchscript import export_torchscript, torchscript_parity

    checkpoint = resolve_model(reference)
    torch_model = TorchLogits(checkpoint)
    network, metadata = torch_model.network, torch_model.metadata
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
