"""`ModelMetadata`: everything needed to use a trained model correctly, carried inside every checkpoint."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from unetops.spec.model import DatasetSpec
from unetops.train.config import TrainConfig


class ModelMetadata(BaseModel):
    """What a checkpoint (and its ONNX twin) needs around it to predict the way it was trained.

    Inputs are the dataset spec's colour model, preprocessed by `dataset_spec.preprocess`, scaled to [0, 1]
    and laid out (N, C, H, W); the output is one logit channel, foreground where sigmoid > `threshold`.
    """

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    format: Literal["unetops-model/1"] = "unetops-model/1"
    unetops_version: str
    in_channels: int
    threshold: float
    patch_size: int
    divisor: int
    dataset_version: str
    dataset_spec: DatasetSpec
    train_config: TrainConfig
    reference_stats: dict[str, Any]
    metrics: dict[str, Any] = {}
