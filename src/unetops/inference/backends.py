"""Model backends: one small protocol, implemented by ONNX Runtime (default on CPU) and PyTorch."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import torch

from unetops.inference.options import Backend
from unetops.model.checkpoint import ModelError, load_checkpoint
from unetops.model.metadata import ModelMetadata
from unetops.tracking.registry import resolve_model


class LogitsFn(Protocol):
    def __call__(self, batch: torch.Tensor) -> torch.Tensor:
        """Logits (N, 1, H, W) for float32 inputs (N, C, H, W) in [0, 1]."""


@dataclass
class LoadedModel:
    """A model ready to predict: its logits function, its metadata and where it came from."""

    logits: LogitsFn
    metadata: ModelMetadata
    path: Path
    backend: Backend


class TorchLogits:
    """PyTorch eager inference of the checkpoint's network."""

    def __init__(self, checkpoint: Path) -> None:
        from unetops.train.networks import build_network

        payload, metadata = load_checkpoint(checkpoint)
        self.network = build_network(metadata.train_config, metadata.in_channels)
        self.network.load_state_dict(payload["state_dict"])
        self.network.eval()

    def __call__(self, batch: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():
            return self.network(batch.float())


class OnnxLogits:
    """ONNX Runtime inference of `model.onnx`."""

    def __init__(self, onnx_path: Path, threads: int | None = None) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])

    def __call__(self, batch: torch.Tensor) -> torch.Tensor:
        array = np.ascontiguousarray(batch.detach().cpu().numpy(), dtype=np.float32)
        return torch.from_numpy(self.session.run(None, {"image": array})[0])


def load_model(reference: str | Path, backend: Backend = Backend.onnx) -> LoadedModel:
    """Load a model by path or `models:/NAME@ALIAS`; the ONNX backend uses `model.onnx` beside `model.pt`."""
    checkpoint = resolve_model(reference)
    _, metadata = load_checkpoint(checkpoint)
    if backend is Backend.torch:
        return LoadedModel(TorchLogits(checkpoint), metadata, checkpoint, backend)
    onnx_path = checkpoint.with_suffix(".onnx")
    if not onnx_path.is_file():
        raise ModelError(
            "no ONNX model beside the checkpoint",
            path=onnx_path,
            fix=f"run `unetops export {checkpoint} --format onnx`, or use --backend torch",
        )
    return LoadedModel(OnnxLogits(onnx_path), metadata, checkpoint, backend)
