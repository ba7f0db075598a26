"""`create_app`: the FastAPI application (REST API under /v1, health, metrics, web UI under /ui)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from unetops import __version__
from unetops.model.backends import LoadedModel
from unetops.serve.limits import BodyLimitMiddleware
from unetops.serve.logs import RequestLogMiddleware
from unetops.serve.problems import install_problem_handlers
from unetops.serve.routes import analysis, jobs, models, operations, specs, ui
from unetops.serve.settings import ServeSettings
from unetops.serve.state import ServiceState


def create_app(settings: ServeSettings, model: LoadedModel) -> FastAPI:
    """The service for one loaded model."""
    state = ServiceState(settings, model)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if state.jobs is not None:
            state.jobs.start()  # jobs left queued or running by the last run are taken up again
        if state.follower is not None:
            state.follower.start(settings.follow_interval_s)
        yield
        if state.follower is not None:
            state.follower.stop()
        if state.jobs is not None:
            state.jobs.stop()
        state.views.close()

    app = FastAPI(
        lifespan=lifespan,
        title="unetops",
        version=__version__,
        description="Nucleus segmentation and quantification of microscopy images with a U-Net. "
        "Every /v1 endpoint needs `Authorization: Bearer <token>`; errors are problem details (RFC 9457).",
    )
    app.state.settings = settings
    app.state.service = state
    install_problem_handlers(app)
    for router in (analysis.router, jobs.router, specs.router, models.router, operations.router, ui.router):
        app.include_router(router)
    ui.mount_ui(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        )
    slide_uploads = {"/v1/jobs/upload": settings.max_slide_upload_bytes}
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_upload_bytes, paths=slide_uploads)
    templates = list(app.openapi()["paths"])  # the API's path templates: the only endpoint labels besides two
    app.add_middleware(RequestLogMiddleware, metrics=state.metrics, templates=templates)
    return app
