"""`/v1/models` and `/v1/drift`: the served model, the registry, and how far the inputs drift."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter

from unetops.serve.problems import Problem
from unetops.serve.registry_view import registry_listing
from unetops.serve.routes import AUTHORISED, ERRORS
from unetops.serve.state import State

router = APIRouter(prefix="/v1", dependencies=AUTHORISED, tags=["models"], responses=ERRORS)


@router.get("/models")
async def models(state: State) -> dict[str, Any]:
    """The served model (with its registry version and since when it serves), how following its alias goes,
    and the registry's models with versions, aliases and metrics."""
    follows = state.follower.status if state.follower is not None else None
    return {"served": state.info, "follows": follows, "registry": await anyio.to_thread.run_sync(registry_listing)}


@router.post("/models/reload", responses={409: {"description": "the served model is not a registry alias"}})
async def reload(state: State) -> dict[str, Any]:
    """Check the alias now (a version that failed before is tried again); the new version serves once loaded."""
    if state.follower is None:
        raise Problem(409, "Nothing to reload", f"{state.settings.model} is not a registry alias (models:/NAME@ALIAS)")
    status = await anyio.to_thread.run_sync(lambda: state.follower.check(retry_failed=True))
    return {"served": state.info, "follows": status}


@router.get("/drift")
async def drift(state: State) -> dict[str, Any]:
    """Input drift of the recent images from the model's training images."""
    return state.drift_report()
