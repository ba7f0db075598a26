"""The registry as the service shows it: MLflow's models when a registry is configured, else why not."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

LOGGER = logging.getLogger("unetops.serve")


def registry_listing() -> dict[str, Any]:
    """Registered models, versions, aliases and metrics; never creates a store where there is none."""
    try:
        from unetops.tracking.registry import list_models
        from unetops.tracking.store import DEFAULT_DATABASE
    except ImportError:
        return {"available": False, "reason": "MLflow is not installed in this image", "models": []}
    if not os.environ.get("MLFLOW_TRACKING_URI") and not (Path.cwd() / DEFAULT_DATABASE).is_file():
        return {"available": False, "reason": "no registry configured: set MLFLOW_TRACKING_URI", "models": []}
    try:
        return {"available": True, "models": list_models()}
    except Exception as exc:  # the tracking server is another service: report it, do not fail the request
        LOGGER.warning("registry unavailable", extra={"error": str(exc)})
        return {"available": False, "reason": f"registry unavailable: {exc}", "models": []}
