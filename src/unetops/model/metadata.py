"""`ModelMetadata`: everything needed to use a trained model correctly, carried inside every checkpoint."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from unetops.model.config import NetworkConfig
from unetops.model.instances import InstanceParams
from unetops.spec.model import DatasetSpec

FORMAT = "unetops-model/2"


class ModelMetadata(BaseModel):
    """What a checkpoint (and its ONNX twin) needs around it to predict the way it was trained.

    Inputs are the dataset spec's colour model, prepared by `unetops.spec.prepare.prepare_image`, scaled to
    [0, 1] and laid out (N, C, H, W). A binary model (`network.target`) outputs one logit channel, foreground
    where its sigmoid > `threshold`; an instance model three (background, interior, border), foreground where
    the softmax's background < 1 - `threshold`, and instances by `instances` (`unetops.model.instances`).
    `network` rebuilds the network; `train_config` records every training setting as it was.
    """

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    format: Literal["unetops-model/1", "unetops-model/2"] = FORMAT
    unetops_version: str
    in_channels: int
    threshold: float
    patch_size: int
    divisor: int
    dataset_version: str
    dataset_spec: DatasetSpec
    network: NetworkConfig
    train_config: dict[str, Any]
    reference_stats: dict[str, Any]
    instances: InstanceParams | None = None
    metrics: dict[str, Any] = {}

    @model_validator(mode="before")
    @classmethod
    def _network_from_training(cls, data: Any) -> Any:
        """Accept the training settings as a model, and derive `network` from them (format 1 had none)."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        training = data.get("train_config")
        if isinstance(training, BaseModel):
            data["train_config"] = training = training.model_dump(mode="json")
        if "network" not in data and isinstance(training, dict):
            data["network"] = {key: training[key] for key in NetworkConfig.model_fields if key in training}
            data["network"].pop("target", None)  # format 1 models are binary
            data["format"] = FORMAT
        return data
