"""The MLflow store: a local SQLite database and artifact folder by default, or `MLFLOW_TRACKING_URI`."""

from __future__ import annotations

import os
import random
import re
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient
from mlflow.tracking.context.registry import resolve_tags

from unetops.errors import UnetopsError

DEFAULT_DATABASE = "mlflow.db"
DEFAULT_ARTIFACTS = "mlartifacts"
KILLED_ATTEMPTS_TAG = "unetops.killed_attempts"  # attempts of a resumed run that ended without a word
REGISTER_ATTEMPTS = 5  # a registration whose version number another took meanwhile asks again
PROBE_SECONDS = 10  # how long a tracking server has to answer the first time a process asks it
_answered: set[str] = set()  # servers that answered this process


def tracking_uri() -> str:
    """`MLFLOW_TRACKING_URI`, else `sqlite:///<cwd>/mlflow.db` (no server, no network)."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{Path.cwd() / DEFAULT_DATABASE}"


def check_answers(uri: str) -> None:
    """Ask a tracking server once per process whether it answers at all, so that a wrong address or a stopped
    server is reported at once rather than after MLflow's retries (minutes); later requests keep the retries.

    Raises:
        UnetopsError: no connection to the server, or no answer within `PROBE_SECONDS`.
    """
    if not uri.startswith(("http://", "https://")) or uri in _answered:
        return
    import requests

    try:
        requests.get(f"{uri.rstrip('/')}/health", timeout=PROBE_SECONDS)  # any HTTP answer will do
    except requests.exceptions.SSLError:
        pass  # certificates are MLflow's to check, with its own settings
    except (requests.ConnectionError, requests.Timeout) as exc:
        errno = re.search(r"\[Errno -?\d+\] ([^'\")]+)", str(exc))
        reason = errno[1] if errno else f"no answer within {PROBE_SECONDS} s"
        raise UnetopsError(
            f"the tracking server at {uri} does not answer ({reason})",
            fix="check MLFLOW_TRACKING_URI (`unetops model --tracking-uri`) and that the server runs",
        ) from None
    _answered.add(uri)


def client() -> MlflowClient:
    """A client of the store; a local SQLite store is created if missing (training starts a store).

    Raises:
        UnetopsError: a tracking server that does not answer (`check_answers`).
    """
    uri = tracking_uri()
    check_answers(uri)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def existing_client() -> MlflowClient:
    """A client of a store that exists: reading the registry never creates an empty store.

    Raises:
        UnetopsError: the local SQLite database is missing; the message says where it looked.
    """
    uri = tracking_uri()
    database = Path(uri.removeprefix("sqlite:///")) if uri.startswith("sqlite:///") else None
    if database is not None and not database.is_file():
        raise UnetopsError(
            f"no MLflow store: {database} does not exist",
            fix="run from the folder that holds mlflow.db (the demo's is data/demo), or point at a store with "
            "MLFLOW_TRACKING_URI or --tracking-uri (sqlite:///path/mlflow.db or http://server:5000)",
        )
    return client()


def _artifact_location(uri: str) -> str | None:
    """Beside a local SQLite database, an `mlartifacts` folder; for servers, the server's default."""
    if uri.startswith("sqlite:///"):
        return (Path(uri.removeprefix("sqlite:///")).parent / DEFAULT_ARTIFACTS).as_uri()
    return None


def experiment_id(mlflow: MlflowClient, name: str) -> str:
    """The id of experiment `name`, created if missing (by this process or, at the same moment, another)."""
    from mlflow.exceptions import MlflowException

    found = mlflow.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    try:
        return mlflow.create_experiment(name, artifact_location=_artifact_location(mlflow.tracking_uri))
    except MlflowException as exc:
        if exc.error_code != "RESOURCE_ALREADY_EXISTS":
            raise
        return mlflow.get_experiment_by_name(name).experiment_id


def git_commit() -> str | None:
    """The commit of the working directory's git checkout, if any."""
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested settings as `a.b` -> string, the form MLflow parameters take."""
    flat: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = str(value)[:6000]
    return flat


class RunTracker:
    """One MLflow run: parameters, per-epoch metrics, tags, artifacts and model registration.

    Args:
        experiment: experiment name (created if missing).
        run_name: display name of a new run.
        run_id: continue this run instead of starting one (training resumed from a checkpoint).
    """

    def __init__(self, experiment: str, run_name: str | None = None, run_id: str | None = None) -> None:
        self.mlflow = client()
        if run_id is None:
            # who trained it and from what (mlflow.user, mlflow.source.*), as MLflow's own runs record
            run = self.mlflow.create_run(experiment_id(self.mlflow, experiment), run_name=run_name, tags=resolve_tags())
        else:
            run = self.mlflow.get_run(run_id)
            if run.info.status == "RUNNING":  # the interrupted process could not say so (SIGKILL, power loss)
                killed = int(run.data.tags.get(KILLED_ATTEMPTS_TAG, "0")) + 1
                self.mlflow.set_tag(run_id, KILLED_ATTEMPTS_TAG, str(killed))
            self.mlflow.update_run(run_id, status="RUNNING")
        self.run_id: str = run.info.run_id
        self.artifact_uri: str = run.info.artifact_uri

    def log_params(self, params: Mapping[str, Any]) -> None:
        items = list(flatten(params).items())
        for start in range(0, len(items), 100):
            self.mlflow.log_batch(self.run_id, params=[Param(k, v) for k, v in items[start : start + 100]])

    def log_metrics(self, metrics: Mapping[str, float], step: int) -> None:
        now = int(time.time() * 1000)
        self.mlflow.log_batch(self.run_id, metrics=[Metric(k, float(v), now, step) for k, v in metrics.items()])

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        self.mlflow.log_batch(self.run_id, tags=[RunTag(k, str(v)) for k, v in tags.items() if v is not None])

    def log_artifacts(self, folder: Path, artifact_path: str) -> None:
        self.mlflow.log_artifacts(self.run_id, str(folder), artifact_path)

    def register(self, name: str, artifact_path: str = "model") -> str:
        """Register `<run artifacts>/<artifact_path>` as a new version of model `name`; returns the version.

        Two trainings registering at once both succeed: the loser of the race to create the name finds it there,
        and one whose version number was taken meanwhile (the server numbers versions without a lock) asks again.
        """
        from mlflow.exceptions import MlflowException

        try:
            self.mlflow.create_registered_model(name)
        except MlflowException as exc:
            if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
        source, attempt = f"{self.artifact_uri}/{artifact_path}", 1
        while True:
            try:
                return str(self.mlflow.create_model_version(name, source, run_id=self.run_id).version)
            except MlflowException as exc:
                taken = exc.error_code == "RESOURCE_ALREADY_EXISTS" or "already exists" in exc.message
                if not taken or attempt == REGISTER_ATTEMPTS:
                    raise
                attempt += 1
                time.sleep(random.uniform(0.1, 1.0))  # the other registration goes first

    def finish(self, status: str = "FINISHED") -> None:
        self.mlflow.set_terminated(self.run_id, status=status)


def log_to_run(run_id: str, metrics: Mapping[str, float], folder: Path, artifact_path: str) -> bool:
    """Add metrics and a folder of artifacts to an existing run; False if the run is not in this store."""
    from mlflow.exceptions import MlflowException

    mlflow = existing_client()
    try:
        mlflow.get_run(run_id)
    except MlflowException:
        return False
    now = int(time.time() * 1000)
    finite = {k: float(v) for k, v in metrics.items() if v == v and abs(v) != float("inf")}
    mlflow.log_batch(run_id, metrics=[Metric(k, v, now, 0) for k, v in finite.items()])
    mlflow.log_artifacts(run_id, str(folder), artifact_path)
    return True
