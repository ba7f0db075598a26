"""`dataset.json`: the manifest of a built dataset (spec, source, hashes, splits, problems, statistics)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from unetops.errors import DatasetError
from unetops.spec.model import DatasetSpec

MANIFEST_NAME = "dataset.json"
MANIFEST_FORMAT = "unetops-dataset/1"


class ManifestItem(BaseModel):
    """One built pair; paths are relative to the dataset folder."""

    model_config = ConfigDict(extra="forbid")

    key: str
    name: str
    split: Literal["train", "val", "test"]
    group: str
    tag: str | None
    image: str
    mask: str
    instances: str | None
    instances_derived: bool | None = None  # True: connected components of the mask (the source had no instances)
    sha256: dict[str, str]
    source_image: str
    source_masks: list[str]
    source_sha256: dict[str, Any]
    width: int
    height: int
    foreground_fraction: float
    objects: int


class SkippedItem(BaseModel):
    """A source item left out of the build, with the problems that excluded it."""

    key: str
    files: list[str]
    problems: list[dict[str, Any]]


class DatasetManifest(BaseModel):
    """Everything needed to trust, reproduce and load a built dataset."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["unetops-dataset/1"] = MANIFEST_FORMAT
    version: str
    unetops_version: str
    spec: DatasetSpec
    spec_sha256: str
    source: dict[str, str]
    on_error: Literal["skip", "fail"]
    splits: dict[str, int]
    items: list[ManifestItem]
    skipped: list[SkippedItem]
    problems: list[dict[str, Any]]
    statistics: dict[str, Any]


def read_manifest(dataset: Path) -> DatasetManifest:
    """Load `dataset.json` from a built dataset folder (or the file itself)."""
    path = dataset / MANIFEST_NAME if dataset.is_dir() else dataset
    try:
        return DatasetManifest.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise DatasetError(
            "not a built dataset (no dataset.json)", path=dataset, fix="build one with `unetops dataset build`"
        ) from None
    except ValidationError as exc:
        raise DatasetError(f"invalid dataset manifest: {exc.error_count()} problems\n{exc}", path=path) from None
