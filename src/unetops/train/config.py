"""`TrainConfig`: every training setting, from a YAML file with command-line overrides."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from unetops.errors import UnetopsError
from unetops.model.config import NetworkConfig

DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h)?\s*$")


class ConfigError(UnetopsError):
    """A training configuration is unreadable or invalid."""

    exit_code = 2


def parse_duration(text: str) -> float:
    """Seconds in '90s', '10m', '1.5h' or a bare number of seconds."""
    match = DURATION.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a duration such as 90s, 10m or 1h")
    value, unit = float(match[1]), (match[2] or "s")[0]
    return value * {"s": 1, "m": 60, "h": 3600}[unit]


class AugmentConfig(BaseModel):
    """Augmentation of the train split; image and mask are transformed together."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    flip: bool = True
    rotate90: bool = True
    affine: bool = Field(True, description="small rotation (+-15 degrees) and scaling (0.9-1.1)")
    intensity: bool = Field(True, description="brightness and contrast")
    hed_jitter: float = Field(
        0.12,
        ge=0,
        le=0.2,
        description="HED stain jitter strength (RGB only; 0 disables; chosen in benchmarks/stain_augmentation.py)",
    )


class TrainConfig(NetworkConfig):
    """Training settings. `None` for batch and patch size means: choose from the data and the memory."""

    epochs: int = Field(100, ge=1, le=100000, description="maximum epochs")
    patience: int = Field(20, ge=1, description="epochs without validation Dice improvement before stopping")
    learning_rate: float = Field(2e-3, gt=0, le=1, description="AdamW learning rate")
    weight_decay: float = Field(1e-4, ge=0, le=1, description="AdamW weight decay")
    scheduler: Literal["cosine", "constant"] = Field("cosine", description="learning-rate schedule")
    batch_size: int | None = Field(None, ge=1, le=1024, description="batch size (default: chosen from memory)")
    patch_size: int | None = Field(
        None, ge=16, le=4096, description="training patch size (default: chosen from the images)"
    )
    steps_per_epoch: int | None = Field(
        None, ge=1, description="batches per epoch (default: enough patches to cover the train pixels once)"
    )
    time_budget: str | None = Field(None, description="stop cleanly after this long, e.g. 10m")
    threshold: float = Field(0.5, gt=0, lt=1, description="probability above which a pixel is foreground")
    target: Literal["auto", "binary", "instances"] = Field(
        "auto",
        description="what the network learns: binary (foreground), instances (background, interior, border: "
        "touching nuclei parted by the network) or auto (instances when the dataset has instance labels)",
    )
    border_weight: float = Field(
        2.0, ge=1, le=20, description="instance target: weight of the border class in the cross-entropy"
    )
    augment: AugmentConfig = Field(default_factory=AugmentConfig)
    seed: int = Field(0, ge=0, description="random seed")
    loader_workers: int = Field(
        0, ge=0, le=64, description="processes preparing batches; worth it when a GPU leaves the CPU idle"
    )
    accelerator: Literal["auto", "cpu", "gpu"] = Field("auto", description="auto, cpu or gpu")
    devices: int = Field(1, ge=1, description="GPUs (or CPU processes) for distributed data parallel")
    num_nodes: int = Field(1, ge=1, description="nodes for distributed data parallel")
    precision: Literal["auto", "32-true", "16-mixed", "bf16-mixed"] = Field("auto", description="auto: mixed on GPU")
    model_name: str = Field("unetops-nuclei", min_length=1, description="registry name of the trained model")
    register_model: bool = Field(True, description="register the trained model in the MLflow registry")

    @field_validator("time_budget")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value

    @model_validator(mode="after")
    def _patch_fits_depth(self) -> TrainConfig:
        if self.patch_size is not None and self.patch_size % self.divisor:
            raise ValueError(f"patch_size must be a multiple of {self.divisor} for depth {self.depth}")
        return self

    @property
    def time_budget_seconds(self) -> float | None:
        return None if self.time_budget is None else parse_duration(self.time_budget)


def load_train_config(path: Path | None = None, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """Read a YAML file (optional), apply `overrides` (None values ignored), validate, and report every problem."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise ConfigError("training config not found", path=path) from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"not valid YAML: {exc}", path=path) from None
        if not isinstance(loaded, dict):
            raise ConfigError("expected a mapping of settings", path=path)
        data = loaded.get("train", loaded) if isinstance(loaded.get("train"), dict) else loaded
    data = {**data, **{k: v for k, v in (overrides or {}).items() if v is not None}}
    try:
        return TrainConfig.model_validate(data)
    except ValidationError as exc:
        problems = "\n  - ".join(f"{'.'.join(map(str, e['loc'])) or 'config'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(
            f"invalid training config:\n  - {problems}", path=path, fix="see docs/training.md for every setting"
        ) from None
