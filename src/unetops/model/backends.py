"""Model backends: one small protocol on NumPy arrays, implemented by ONNX Runtime (default) and PyTorch.

The ONNX backend needs neither PyTorch nor MLflow (for a model given by path): the ONNX file carries the
model's metadata, so `model.onnx` alone is a servable model.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Protocol

import numpy as np

from unetops.errors import ModelError
from unetops.model.metadata import ModelMetadata
from unetops.tracking.registry import ONNX_FILE, resolve_model

METADATA_KEY = "unetops_metadata"
log = logging.getLogger(__name__)


class Backend(str, Enum):
    """Which runtime computes the network: ONNX Runtime (default on CPU) or PyTorch."""

    onnx = "onnx"
    torch = "torch"


class LogitsFn(Protocol):
    def __call__(self, batch: np.ndarray) -> np.ndarray:
        """Logits (N, 1, H, W) float32 for float32 inputs (N, C, H, W) in [0, 1]."""


@dataclass
class LoadedModel:
    """A model ready to predict: its logits function, its metadata and where it came from."""

    logits: LogitsFn
    metadata: ModelMetadata
    path: Path
    backend: Backend


class TorchLogits:
    """PyTorch eager inference of a checkpoint's network."""

    def __init__(self, checkpoint: Path) -> None:
        from unetops.model.checkpoint import load_checkpoint
        from unetops.model.network import build_network

        payload, self.metadata = load_checkpoint(checkpoint)
        self.network = build_network(self.metadata.network, self.metadata.in_channels)
        self.network.load_state_dict(payload["state_dict"])
        self.network.eval()

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            return self.network(torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32))).numpy()


class OnnxLogits:
    """ONNX Runtime inference of a `model.onnx` written by `unetops export` or training."""

    def __init__(self, onnx_path: Path, threads: int | None = None) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        try:
            self.session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # ONNX Runtime raises its own exception types for unreadable models
            raise ModelError(f"not an ONNX model: {exc}", path=onnx_path) from None
        stored = self.session.get_modelmeta().custom_metadata_map.get(METADATA_KEY)
        if stored is None:
            raise ModelError("ONNX model without unetops metadata", path=onnx_path, fix="export it with unetops export")
        self.metadata = ModelMetadata.model_validate(json.loads(stored))

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self.session.run(None, {"image": np.ascontiguousarray(batch, dtype=np.float32)})[0]


def _checkpoint_only(reference: str | Path) -> bool:
    """True for a checkpoint file (`best.pt`, `last.pt`) with no ONNX model beside it."""
    path = Path(str(reference))
    return path.suffix == ".pt" and path.is_file() and not path.with_suffix(".onnx").is_file()


def load_model(reference: str | Path, backend: Backend = Backend.onnx, threads: int | None = None) -> LoadedModel:
    """Load a model folder, file or `models:/NAME@ALIAS`; the ONNX backend uses `model.onnx`.

    A checkpoint file without an ONNX twin (a run's `checkpoints/best.pt`) runs on PyTorch whatever `backend`.

    Args:
        reference: a model folder (`model.pt`, `model.onnx`), a file, or a registry reference.
        backend: ONNX Runtime (default; needs only the `.onnx` file) or PyTorch (needs the checkpoint).
        threads: ONNX Runtime intra-op threads; default all cores.
    """
    if backend is Backend.onnx and not _checkpoint_only(reference):
        path = resolve_model(reference, ONNX_FILE)
        onnx = OnnxLogits(path, threads)
        return LoadedModel(onnx, onnx.metadata, path, backend)
    if backend is Backend.onnx:
        log.info("%s has no ONNX twin; running it with PyTorch", reference)
    path = resolve_model(reference)
    torch_model = TorchLogits(path)
    return LoadedModel(torch_model, torch_model.metadata, path, Backend.torch)
