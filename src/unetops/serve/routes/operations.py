"""Health, readiness and Prometheus metrics (no token: for the orchestrator and the scraper)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from unetops.serve.routes import ERRORS
from unetops.serve.state import State

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: ERRORS[503]})
async def readyz(state: State) -> dict[str, Any]:
    """The model is loaded and answers."""
    return {"status": "ready", "model": state.info["reference"], "sha256": state.info["sha256"]}


@router.get("/metrics", response_class=PlainTextResponse)
async def prometheus(state: State) -> Response:
    """Prometheus metrics."""
    state.drift_report()
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
