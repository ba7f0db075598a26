"""Checkpoint files: weights plus metadata (and, for resuming, the optimiser and training state)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import torch

from unetops.errors import ModelError
from unetops.fileio import atomic_write_bytes
from unetops.model.metadata import ModelMetadata


def save_checkpoint(path: Path, state_dict: dict[str, Any], metadata: ModelMetadata, **training_state: Any) -> None:
    """Atomically write weights, metadata (as JSON text) and any extra training state."""
    buffer = io.BytesIO()
    torch.save({"metadata": metadata.model_dump_json(), "state_dict": state_dict, **training_state}, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def load_checkpoint(path: Path) -> tuple[dict[str, Any], ModelMetadata]:
    """Read a checkpoint; returns the whole payload and its parsed metadata."""
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise ModelError("model file not found", path=path, fix="check the path or use models:/NAME@ALIAS") from None
    except Exception as exc:  # torch raises many types for a file that is not a checkpoint
        raise ModelError(f"not a unetops checkpoint: {exc}", path=path) from None
    if not isinstance(payload, dict) or "metadata" not in payload:
        raise ModelError("not a unetops checkpoint (no metadata)", path=path)
    return payload, ModelMetadata.model_validate(json.loads(payload["metadata"]))
