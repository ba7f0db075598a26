"""The web UI: static pages under /ui, and / redirecting there."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/ui/")


def mount_ui(app: FastAPI) -> None:
    """Serve the package's `ui/` folder at /ui (index.html for folders)."""
    folder = Path(str(resources.files("unetops.serve").joinpath("ui")))
    app.mount("/ui", StaticFiles(directory=folder, html=True), name="ui")
