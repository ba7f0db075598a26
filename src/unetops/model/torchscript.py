"""TorchScript export of a trained network, with its metadata as an extra file."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import torch
from torch import nn

from unetops.fileio import atomic_write_bytes
from unetops.model.metadata import ModelMetadata
from unetops.model.tiled import class_probabilities


def export_torchscript(network: nn.Module, metadata: ModelMetadata, path: Path) -> None:
    """Trace `network` and save it with `metadata.json` among its extra files."""
    example = torch.zeros(1, metadata.in_channels, metadata.patch_size, metadata.patch_size)
    with torch.no_grad():
        traced = torch.jit.trace(network.eval(), example, check_trace=False)
    buffer = io.BytesIO()
    torch.jit.save(traced, buffer, _extra_files={"metadata.json": metadata.model_dump_json()})
    atomic_write_bytes(path, buffer.getvalue())


def torchscript_parity(network: nn.Module, path: Path, inputs: np.ndarray) -> float:
    """Largest absolute difference of class probabilities (every output channel) between the network and its
    TorchScript file."""
    loaded = torch.jit.load(str(path))
    with torch.no_grad():
        tensor = torch.as_tensor(inputs, dtype=torch.float32)
        expected, got = network.eval()(tensor).numpy(), loaded(tensor).numpy()
    return float(np.abs(class_probabilities(expected, axis=1) - class_probabilities(got, axis=1)).max())
