"""`AliasFollower`: a service started on `models:/NAME@ALIAS` serves the version the alias points at, checked
every so often (and on `POST /v1/models/reload`). A new version is loaded and tried in the background while
the old one answers; the switch is one assignment. A version that fails to load is reported and skipped; the
old one stays."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import numpy as np

from unetops.errors import UnetopsError
from unetops.model.backends import LoadedModel, load_model
from unetops.model.segmenter import Segmenter
from unetops.tracking.registry import REFERENCE, alias_version

log = logging.getLogger("unetops.serve")
TRIAL_SIDE = 64  # a blank image this size goes through a new model before it serves


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def follows_alias(reference: str) -> bool:
    """Whether a model reference is a registry alias (`models:/NAME@ALIAS`)."""
    match = REFERENCE.match(reference)
    return bool(match and match["alias"])


def tried(model: LoadedModel) -> LoadedModel:
    """`model`, once it has segmented a blank image (a graph that loads but does not run is caught here)."""
    Segmenter(model).segment(np.full((TRIAL_SIDE, TRIAL_SIDE, 3), 255, np.uint8))
    return model


class AliasFollower:
    """Checks where `reference` (`models:/NAME@ALIAS`) points and hands a new version to `serve`.

    Args:
        reference: the alias followed.
        current: the version served now.
        serve: called with a loaded, tried model and its version to serve it from now on.
        outcome: called with "loaded" or "failed" for each attempt (a metric).
        threads: ONNX Runtime threads of a loaded model.
    """

    def __init__(
        self,
        reference: str,
        current: Callable[[], str | None],
        serve: Callable[[LoadedModel, str], None],
        outcome: Callable[[str], None],
        threads: int | None = None,
    ) -> None:
        self.reference, self.current, self.serve, self.outcome, self.threads = (
            reference,
            current,
            serve,
            outcome,
            threads,
        )
        self.name = REFERENCE.match(reference)["name"]  # type: ignore[index]
        self.lock = threading.Lock()  # one check at a time
        self.stopped = threading.Event()
        self.status: dict[str, Any] = {"alias": reference, "checked": None, "error": None, "failed_version": None}

    def start(self, interval_s: float) -> None:
        def loop() -> None:
            while not self.stopped.wait(interval_s):
                self.check()

        threading.Thread(target=loop, name="unetops-alias-follower", daemon=True).start()

    def stop(self) -> None:
        self.stopped.set()

    def check(self, *, retry_failed: bool = False) -> dict[str, Any]:
        """Look where the alias points; load, try and serve a new version. Returns the status (also shown by
        `/v1/models`): when it was checked, the last error, a version that failed to load."""
        with self.lock:
            try:
                version = alias_version(self.reference)
            except UnetopsError as exc:
                return self._failed(None, f"cannot read the alias: {exc.render()}")
            self.status["checked"] = now()
            skip = version == self.status["failed_version"] and not retry_failed
            if version is None or version == self.current() or skip:
                return dict(self.status)
            log.info("alias moved", extra={"alias": self.reference, "version": version})
            try:
                model = tried(load_model(f"models:/{self.name}/{version}", threads=self.threads))
            except Exception as exc:  # any failure to load or run: the old version stays
                return self._failed(version, f"version {version} cannot be served: {exc}")
            self.serve(model, version)
            self.outcome("loaded")
            self.status.update(error=None, failed_version=None)
            log.info("serving a new version", extra={"alias": self.reference, "version": version})
            return dict(self.status)

    def _failed(self, version: str | None, error: str) -> dict[str, Any]:
        self.status.update(error=error, checked=now())
        if version is not None:
            self.status["failed_version"] = version
        self.outcome("failed")
        log.warning("model reload failed", extra={"alias": self.reference, "error": error})
        return dict(self.status)
