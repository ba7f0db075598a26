"""`/v1/models` and `/v1/drift`: the served model, the registry, and how far the inputs drift."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter

from unetops.serve.registry_view import registry_listing
from unetops.serve.routes import AUTHORISED, ERRORS
from unetops.serve.state import State

router = APIRouter(prefix="/v1", dependencies=AUTHORISED, tags=["models"], responses=ERRORS)


@router.get("/models")
async def models(state: State) -> dict[str, Any]:
    """The served model, and the registry's models with versions, aliases and metrics."""
    return {"served": state.info, "registry": await anyio.to_thread.run_sync(registry_listing)}


@router.get("/drift")
async def drift(state: State) -> dict[str, Any]:
    """Input drift of the recent images from the model's training images."""
    return state.drift_report()
