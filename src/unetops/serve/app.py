"""`create_app`: the FastAPI application (REST API under /v1, health, metrics, web UI under /ui)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Body, Depends, FastAPI, File, Query, UploadFile
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from unetops import __version__
from unetops.dataset.masks import count_objects
from unetops.fileio import sha256_file
from unetops.inference.backends import LoadedModel
from unetops.monitoring.drift import DriftMonitor
from unetops.quantify.config import PROFILES, load_profile
from unetops.quantify.run import table_csv
from unetops.serve import analysis
from unetops.serve.auth import require_token
from unetops.serve.limits import BodyLimitMiddleware
from unetops.serve.logs import RequestLogMiddleware
from unetops.serve.metrics import service_metrics
from unetops.serve.problems import PROBLEM_TYPE, Problem, install_problem_handlers
from unetops.serve.registry_view import registry_listing
from unetops.serve.settings import ServeSettings
from unetops.serve.uploads import decode_upload, safe_name
from unetops.spec import spec_problems

T = TypeVar("T")
Profile = Enum("Profile", {name: name for name in PROFILES}, type=str)  # type: ignore[misc]
PNG = {"content": {"image/png": {}}, "description": "PNG image"}
ERRORS = {code: {"content": {PROBLEM_TYPE: {}}, "description": text} for code, text in (
    (400, "unreadable image"), (401, "no token"), (403, "wrong token"), (413, "too large"),
    (415, "not an image"), (422, "invalid request"), (503, "busy or timed out"),
)}  # fmt: skip
Upload = Annotated[UploadFile, File(description="PNG, JPEG, BMP or TIFF image")]


class SegmentOutput(str, Enum):
    mask = "mask"
    overlay = "overlay"
    json = "json"


class TableFormat(str, Enum):
    json = "json"
    csv = "csv"


def _model_info(model: LoadedModel, reference: str) -> dict[str, Any]:
    metadata = model.metadata
    return {
        "reference": reference,
        "file": model.path.name,
        "sha256": sha256_file(model.path),
        "backend": model.backend.value,
        "dataset_version": metadata.dataset_version,
        "unetops_version": metadata.unetops_version,
        "color_model": metadata.dataset_spec.color_model.value,
        "patch_size": metadata.patch_size,
        "threshold": metadata.threshold,
        "metrics": metadata.metrics,
    }


def create_app(settings: ServeSettings, model: LoadedModel) -> FastAPI:
    """The service for one loaded model."""
    app = FastAPI(
        title="unetops",
        version=__version__,
        description="Nucleus segmentation and quantification of microscopy images with a U-Net. "
        "Every /v1 endpoint needs `Authorization: Bearer <token>`; errors are problem details (RFC 9457).",
    )
    metrics = service_metrics()
    monitor = DriftMonitor(model.metadata.reference_stats, settings.drift_window)
    info = _model_info(model, settings.model)
    metrics.model.labels(settings.model, info["sha256"][:12], info["dataset_version"]).set(1)
    slots = threading.BoundedSemaphore(settings.max_concurrent)
    profiles = {name: load_profile(name) for name in PROFILES}
    app.state.settings = settings
    install_problem_handlers(app)
    authorised = [Depends(require_token)]

    async def in_worker(work: Callable[[], T]) -> T:
        """Run `work` in a worker thread, at most `max_concurrent` at once, within the request timeout."""

        def guarded() -> T:
            with slots:
                return work()

        try:
            with anyio.fail_after(settings.request_timeout_s):
                return await anyio.to_thread.run_sync(guarded, abandon_on_cancel=True)
        except TimeoutError:
            raise Problem(503, "Timed out", f"the image took over {settings.request_timeout_s:g} s") from None

    async def segmented(file: UploadFile, endpoint: str, tta: bool) -> analysis.Segmentation:
        """Decode and segment in a worker thread: a large image never blocks the event loop."""
        data = await file.read()

        def work() -> analysis.Segmentation:
            image = decode_upload(data, file.filename, settings.max_pixels)
            start = time.perf_counter()
            result = analysis.segment(image, model, monitor, tta)
            metrics.inference.labels(endpoint).observe(time.perf_counter() - start)
            return result

        return await in_worker(work)

    def drift_report() -> dict[str, Any]:
        """The drift report, also set into the drift gauges (updated when read, not on every request)."""
        report = monitor.report()
        if report["score"] is not None:
            metrics.drift.set(report["score"])
            for name, value in report["components"].items():
                metrics.drift_component.labels(name).set(value)
        return report

    @app.post("/v1/segment", dependencies=authorised, responses={200: PNG, **ERRORS}, tags=["inference"])
    async def segment(
        file: Upload,
        output: Annotated[SegmentOutput, Query(description="mask PNG, overlay PNG, or JSON")] = SegmentOutput.mask,
        tta: Annotated[bool, Query(description="average over flips (4x slower)")] = False,
    ) -> Response:
        """Segment nuclei: the binary mask (PNG, 255 = nucleus), the outline overlay, or JSON with outlines."""
        result = await segmented(file, "/v1/segment", tta)
        if output is SegmentOutput.mask:
            return Response(result.mask_png(), media_type="image/png")
        if output is SegmentOutput.overlay:
            return Response(result.overlay_png(), media_type="image/png")
        outlines = result.outlines()
        return JSONResponse(
            {
                "image": safe_name(file.filename),
                "width": int(result.mask.shape[1]),
                "height": int(result.mask.shape[0]),
                "objects": count_objects(result.mask),
                "foreground_fraction": round(float(result.mask.mean()), 6),
                "contours": outlines,
                "model": info["reference"],
            }
        )

    @app.post("/v1/quantify", dependencies=authorised, responses=ERRORS, tags=["inference"])
    async def quantify(
        file: Upload,
        profile: Annotated[Profile, Query(description="marker profile")] = Profile.ki67,  # type: ignore[valid-type]
        pixel_size: Annotated[float | None, Query(gt=0, le=100, description="micrometres per pixel")] = None,
        images: Annotated[bool, Query(description="include mask and QC overlay as base64 PNG")] = False,
        format: Annotated[TableFormat, Query(description="json, or csv of the nuclei")] = TableFormat.json,
    ) -> Response:
        """Segment and measure nuclei: per-nucleus features and the image summary (count, Ki-67 index, H-score)."""
        config = profiles[profile.value]
        result = await segmented(file, "/v1/quantify", False)
        name = safe_name(file.filename)
        measured = await in_worker(lambda: analysis.quantify(result, config, name, pixel_size, images))
        summary = measured["summary"]
        metrics.nuclei.observe(summary["nuclei"])
        if isinstance(summary.get("ki67_index"), float):
            metrics.ki67.observe(summary["ki67_index"])
        if format is TableFormat.csv:
            return PlainTextResponse(table_csv(measured["nuclei"]), media_type="text/csv")
        return JSONResponse({"image": name, "model": info["reference"], **measured})

    @app.post("/v1/specs/validate", dependencies=authorised, responses=ERRORS, tags=["datasets"])
    async def validate_spec(
        spec: Annotated[dict[str, Any], Body(description="a dataset spec, or the original form's JSON")],
    ) -> dict[str, Any]:
        """Validate a dataset spec: the normalised spec, or 422 with every problem."""
        parsed, problems = spec_problems(spec)
        if parsed is None:
            raise Problem(422, "Invalid dataset spec", f"{len(problems)} problem(s)", problems=problems)
        return {"valid": True, "spec": parsed.model_dump(mode="json")}

    @app.get("/v1/models", dependencies=authorised, responses=ERRORS, tags=["models"])
    async def models() -> dict[str, Any]:
        """The served model, and the registry's models with versions, aliases and metrics."""
        return {"served": info, "registry": await anyio.to_thread.run_sync(registry_listing)}

    @app.get("/v1/drift", dependencies=authorised, responses=ERRORS, tags=["models"])
    async def drift_endpoint() -> dict[str, Any]:
        """Input drift of the recent images from the model's training images."""
        return drift_report()

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], responses={503: ERRORS[503]})
    async def readyz() -> dict[str, Any]:
        """The model is loaded and answers."""
        return {"status": "ready", "model": info["reference"], "sha256": info["sha256"]}

    @app.get("/metrics", tags=["operations"], response_class=PlainTextResponse)
    async def prometheus() -> Response:
        """Prometheus metrics."""
        drift_report()
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/ui/")

    ui = Path(str(resources.files("unetops.serve").joinpath("ui")))
    app.mount("/ui", StaticFiles(directory=ui, html=True), name="ui")
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        )
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_upload_bytes)
    app.add_middleware(RequestLogMiddleware, metrics=metrics)
    return app
