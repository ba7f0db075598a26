"""The model registry: list, show and promote versions; resolve `models:/NAME@ALIAS` to a local file.

MLflow is imported only where the registry is used, so a model given by path needs no MLflow (the serving
image runs ONNX files without it).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from unetops.errors import ModelError
from unetops.fileio import CACHE_ENV, cache_dir, safe_name

MODEL_FILE = "model.pt"
ONNX_FILE = "model.onnx"
REFERENCE = re.compile(r"^models:/(?P<name>[^/@]+)(?:@(?P<alias>[^/]+)|/(?P<version>\d+))$")


def _versions(name: str) -> list[dict[str, Any]]:
    from unetops.tracking.store import existing_client

    mlflow = existing_client()
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
                "user": run.data.tags.get("mlflow.user") if run else None,
            }
        )
    return rows


def list_models() -> list[dict[str, Any]]:
    """Every registered model with its versions (number, aliases, metrics)."""
    from unetops.tracking.store import existing_client

    return [{"name": m.name, "versions": _versions(m.name)} for m in existing_client().search_registered_models()]


def show_model(name: str) -> dict[str, Any]:
    """One registered model; raises `ModelError` if it does not exist."""
    from mlflow.exceptions import MlflowException

    from unetops.tracking.store import existing_client

    try:
        existing_client().get_registered_model(name)
    except MlflowException:
        raise ModelError(f"no registered model named {name!r}", fix="`unetops model list` shows the names") from None
    return {"name": name, "versions": _versions(name)}


def promote(name: str, version: str, alias: str) -> None:
    """Point `alias` (e.g. production) of model `name` at `version`."""
    from mlflow.exceptions import MlflowException

    from unetops.tracking.store import existing_client

    try:
        existing_client().set_registered_model_alias(name, alias, version)
    except MlflowException as exc:
        raise ModelError(f"cannot set alias {alias!r} on {name} version {version}: {exc.message}") from None


def _local_file(path: Path, filename: str) -> Path:
    """`filename` in a model folder, or the sibling of a model file with `filename`'s suffix."""
    target = path / filename if path.is_dir() else path.with_suffix(Path(filename).suffix)
    if target.is_file():
        return target
    checkpoint = target.with_suffix(".pt")
    if filename == ONNX_FILE and checkpoint.is_file():
        fix = f"run `unetops export {checkpoint} --format onnx`, or use --backend torch"
        raise ModelError("no ONNX model beside the checkpoint", path=target, fix=fix)
    raise ModelError("model file not found", path=target, fix="give a model folder or file, or models:/NAME@ALIAS")


def resolve_model(reference: str | Path, filename: str = MODEL_FILE) -> Path:
    """A local model file for a model folder, a file, or `models:/NAME@ALIAS` / `models:/NAME/VERSION`.

    Args:
        reference: a folder holding `filename`, a model file, or a registry reference.
        filename: which file of the model: `model.pt` (checkpoint) or `model.onnx`; for a file reference,
            the sibling with that suffix.
    """
    text = str(reference)
    match = REFERENCE.match(text)
    if match is None:
        return _local_file(Path(text), filename)
    version, client = _registry_version(text, match)  # says so when MLflow is not installed
    return _downloaded(version, client.tracking_uri, filename)


def _downloaded(version: Any, tracking_uri: str, filename: str) -> Path:
    """A registry version's file, downloaded once into the model cache (a version's files never change: the key
    is the server and the version's source), then read from there."""
    from mlflow.artifacts import download_artifacts
    from mlflow.exceptions import MlflowException

    key = hashlib.sha256(f"{tracking_uri}\n{version.source}".encode()).hexdigest()[:16]
    folder = cache_dir("models", f"{safe_name(version.name)}-{version.version}-{key}")
    target = folder / filename
    if target.is_file():
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder, prefix=".download-") as temporary:
            path = download_artifacts(f"{version.source}/{filename}", dst_path=temporary, tracking_uri=tracking_uri)
            os.replace(path, target)  # whole or absent, also for two processes at once
    except PermissionError:
        raise ModelError("cannot keep a downloaded model here", path=folder,
                         fix=f"set {CACHE_ENV} to a writable folder") from None  # fmt: skip
    except (MlflowException, OSError) as exc:
        detail = str(exc).splitlines()[0][:300]
        reference = f"models:/{version.name}/{version.version}"
        fix = "check that the version's files are in the artifact store"
        raise ModelError(f"cannot download {filename} of {reference} from {tracking_uri}: {detail}", fix=fix) from None
    return target


def alias_version(reference: str) -> str | None:
    """The version `models:/NAME@ALIAS` points at now; None for any other reference.

    Raises:
        ModelError: the registry cannot be reached, or has no such model or alias.
    """
    match = REFERENCE.match(reference)
    if match is None or not match["alias"]:
        return None
    return str(_registry_version(reference, match)[0].version)


def _registry_version(text: str, match: re.Match[str]) -> tuple[Any, Any]:
    """The registry's model version a reference names, and the client that asked."""
    try:
        from mlflow.exceptions import MlflowException
        from mlflow.tracking.registry import UnsupportedModelRegistryStoreURIException

        from unetops.tracking.store import existing_client, tracking_uri
    except ImportError:
        fix = "install unetops[registry] (or [train]), or give a model folder or file"
        raise ModelError(f"{text}: registry references need MLflow, which is not installed", fix=fix) from None
    try:
        mlflow = existing_client()
        if match["alias"]:
            return mlflow.get_model_version_by_alias(match["name"], match["alias"]), mlflow
        return mlflow.get_model_version(match["name"], match["version"]), mlflow
    except UnsupportedModelRegistryStoreURIException:
        raise ModelError(
            f"{text}: this MLflow installation cannot use the registry at {tracking_uri()}",
            fix="set MLFLOW_TRACKING_URI to your MLflow server (http://...)",
        ) from None
    except MlflowException as exc:
        raise registry_error(text, exc, tracking_uri()) from None


NOT_FOUND = ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE", "NOT_FOUND")
REFUSED = ("UNAUTHENTICATED", "PERMISSION_DENIED")


def registry_error(text: str, exc: Any, uri: str) -> ModelError:
    """What went wrong asking the registry about `text`: no such model or alias, credentials refused, or no
    answer from the server."""
    detail = exc.message.splitlines()[0][:200]
    if exc.error_code in NOT_FOUND:
        return ModelError(f"{text} is not in the registry at {uri} ({detail})",
                          fix="`unetops model list` shows what is there")  # fmt: skip
    if exc.error_code in REFUSED:
        fix = "set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN)"
        return ModelError(f"the tracking server at {uri} refused the credentials ({detail})", fix=fix)
    return ModelError(f"cannot reach the tracking server at {uri} to look up {text} ({detail})",
                      fix="check MLFLOW_TRACKING_URI and that the server runs (MLFLOW_HTTP_REQUEST_MAX_RETRIES "
                      "sets how often it is asked)")  # fmt: skip
