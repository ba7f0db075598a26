"""The model registry: list, show and promote versions; resolve `models:/NAME@ALIAS` to a local file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mlflow.artifacts import download_artifacts
from mlflow.exceptions import MlflowException

from unetops.model.checkpoint import ModelError
from unetops.tracking.store import client

MODEL_FILE = "model.pt"
REFERENCE = re.compile(r"^models:/(?P<name>[^/@]+)(?:@(?P<alias>[^/]+)|/(?P<version>\d+))$")


def _versions(name: str) -> list[dict[str, Any]]:
    mlflow = client()
    aliases: dict[str, list[str]] = {}
    for alias, number in mlflow.get_registered_model(name).aliases.items():
        aliases.setdefault(str(number), []).append(alias)
    rows = []
    for version in sorted(mlflow.search_model_versions(f"name = '{name}'"), key=lambda v: int(v.version)):
        run = mlflow.get_run(version.run_id) if version.run_id else None
        rows.append(
            {
                "version": str(version.version),
                "aliases": sorted(aliases.get(str(version.version), [])),
                "run_id": version.run_id,
                "source": version.source,
                "created": version.creation_timestamp,
                "metrics": dict(run.data.metrics) if run else {},
                "dataset_version": run.data.tags.get("dataset_version") if run else None,
            }
        )
    return rows


def list_models() -> list[dict[str, Any]]:
    """Every registered model with its versions (number, aliases, metrics)."""
    return [{"name": m.name, "versions": _versions(m.name)} for m in client().search_registered_models()]


def show_model(name: str) -> dict[str, Any]:
    """One registered model; raises `ModelError` if it does not exist."""
    try:
        client().get_registered_model(name)
    except MlflowException:
        raise ModelError(f"no registered model named {name!r}", fix="`unetops model list` shows the names") from None
    return {"name": name, "versions": _versions(name)}


def promote(name: str, version: str, alias: str) -> None:
    """Point `alias` (e.g. production) of model `name` at `version`."""
    try:
        client().set_registered_model_alias(name, alias, version)
    except MlflowException as exc:
        raise ModelError(f"cannot set alias {alias!r} on {name} version {version}: {exc.message}") from None


def resolve_model(reference: str | Path) -> Path:
    """A local checkpoint for a file, a folder holding `model.pt`, or `models:/NAME@ALIAS` / `models:/NAME/VERSION`."""
    text = str(reference)
    match = REFERENCE.match(text)
    if match is None:
        path = Path(text)
        path = path / MODEL_FILE if path.is_dir() else path
        if not path.is_file():
            raise ModelError("model file not found", path=path, fix="give a checkpoint file or models:/NAME@ALIAS")
        return path
    mlflow = client()
    try:
        if match["alias"]:
            version = mlflow.get_model_version_by_alias(match["name"], match["alias"])
        else:
            version = mlflow.get_model_version(match["name"], match["version"])
    except MlflowException:
        raise ModelError(
            f"{text} is not in the registry at {mlflow.tracking_uri}", fix="`unetops model list` shows what is there"
        ) from None
    return Path(download_artifacts(artifact_uri=f"{version.source}/{MODEL_FILE}", tracking_uri=mlflow.tracking_uri))
