"""`ServiceState`: what every route of one app shares (settings, model, metrics, drift), and the worker pool."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Request, UploadFile

from unetops.errors import InferenceCancelled
from unetops.fileio import sha256_file
from unetops.model.backends import LoadedModel, load_model
from unetops.model.segmenter import Segmenter
from unetops.monitoring.drift import DriftMonitor
from unetops.quantify.config import PROFILES, QuantifyConfig, load_profile
from unetops.serve import analysis
from unetops.serve.follow import AliasFollower, follows_alias, now
from unetops.serve.jobs import JobManager
from unetops.serve.metrics import ServiceMetrics, service_metrics
from unetops.serve.problems import Problem
from unetops.serve.settings import ServeSettings
from unetops.serve.uploads import decode_upload
from unetops.serve.viewer import SlideViews
from unetops.tracking.registry import alias_version, resolve_model

T = TypeVar("T")
SLOT_WAIT_S = 0.1  # how often a request waiting for a slot checks whether it was cancelled
DISCONNECT_POLL_S = 0.25


def model_info(model: LoadedModel, reference: str) -> dict[str, Any]:
    """The served model as `/v1/models` and `/readyz` describe it."""
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


@dataclass(frozen=True)
class Served:
    """The model answering now, with what describes it and its drift monitor (replaced whole on a switch)."""

    model: LoadedModel
    info: dict[str, Any]
    monitor: DriftMonitor


@dataclass
class ServiceState:
    """One app's shared state; built once by `create_app`."""

    settings: ServeSettings
    loaded: LoadedModel
    metrics: ServiceMetrics = field(default_factory=service_metrics)
    profiles: dict[str, QuantifyConfig] = field(default_factory=lambda: {name: load_profile(name) for name in PROFILES})

    def __post_init__(self) -> None:
        self.follower: AliasFollower | None = None
        version = None
        if follows_alias(self.settings.model):
            self.follower = AliasFollower(self.settings.model, lambda: self.info["version"], self.serve,
                                          lambda outcome: self.metrics.reloads.labels(outcome).inc(),
                                          self.settings.threads)  # fmt: skip
            version = alias_version(self.settings.model)
            self.loaded = self._as_version(self.follower.name, version)
        self.serve(self.loaded, version)
        self.slots = threading.BoundedSemaphore(self.settings.max_concurrent)
        self.views = SlideViews()
        self.jobs: JobManager | None = None
        if self.settings.data_folder is not None:
            self.jobs = JobManager(
                self.settings.jobs_folder, self.settings.data_folder, self.current_model, self.profiles,
                max_running=self.settings.max_jobs, scheduler=self.settings.scheduler,
            )  # fmt: skip

    def _as_version(self, name: str, version: str) -> LoadedModel:
        """The loaded model if it is `version` of registered model `name`, else that version: the alias may have
        moved while the model was loading, and the service must say truly which version it serves."""
        pinned = f"models:/{name}/{version}"
        if resolve_model(pinned, self.loaded.path.name) == self.loaded.path:  # the cache's file: no download
            return self.loaded
        return load_model(pinned, self.loaded.backend, self.settings.threads)

    def serve(self, model: LoadedModel, version: str | None) -> None:
        """Serve `model` (registry `version`, if any) from now on; requests under way finish on the old one."""
        info = {**model_info(model, self.settings.model), "version": version, "since": now()}
        self.served = Served(model, info, DriftMonitor(model.metadata.reference_stats, self.settings.drift_window))
        self.metrics.model.clear()
        self.metrics.model.labels(self.settings.model, info["sha256"][:12], info["dataset_version"]).set(1)

    @property
    def model(self) -> LoadedModel:
        return self.served.model

    @property
    def info(self) -> dict[str, Any]:
        return self.served.info

    @property
    def monitor(self) -> DriftMonitor:
        return self.served.monitor

    def current_model(self) -> tuple[LoadedModel, str]:
        """The model serving now and its SHA-256 (for slide jobs, which take the model of their start)."""
        served = self.served
        return served.model, served.info["sha256"]

    async def in_worker(self, work: Callable[[threading.Event], T], request: Request) -> T:
        """Run `work(cancel)` in a worker thread, at most `max_concurrent` at once, within the request timeout.

        When the request times out or its client goes away, `cancel` is set: the work stops at its next
        check (every window batch of a prediction) and its slot is free again; a request still waiting for
        a slot gives up at once.
        """
        cancel = threading.Event()

        def guarded() -> T:
            while not self.slots.acquire(timeout=SLOT_WAIT_S):
                if cancel.is_set():
                    raise InferenceCancelled
            try:
                return work(cancel)
            finally:
                self.slots.release()

        timeout = self.settings.request_timeout_s
        outcome: dict[str, Any] = {}
        try:
            with anyio.fail_after(timeout):
                async with anyio.create_task_group() as group:
                    group.start_soon(_cancel_on_disconnect, request, group.cancel_scope)
                    try:
                        outcome["result"] = await anyio.to_thread.run_sync(guarded, abandon_on_cancel=True)
                    except Exception as exc:  # raised below: the task group would wrap it in an ExceptionGroup
                        outcome["error"] = exc
                    group.cancel_scope.cancel()
        except TimeoutError:
            cancel.set()
            self.metrics.cancelled.labels("timeout").inc()
            raise Problem(503, "Timed out", f"the image took over {timeout:g} s") from None
        if "error" in outcome:
            raise outcome["error"]
        if "result" not in outcome:
            cancel.set()
            self.metrics.cancelled.labels("disconnect").inc()
            raise Problem(503, "Client disconnected", "the request was abandoned by its client")
        return outcome["result"]

    async def segmented(self, file: UploadFile, request: Request, endpoint: str, tta: bool) -> analysis.Segmentation:
        """Decode and segment in a worker thread: a large image never blocks the event loop."""
        data = await file.read()

        def work(cancel: threading.Event) -> analysis.Segmentation:
            served = self.served  # one model for the whole request, even if another takes over meanwhile
            image = decode_upload(data, file.filename, self.settings.max_pixels)
            start = time.perf_counter()
            result = analysis.segment(image, Segmenter(served.model, tta=tta), served.monitor, cancel)
            self.metrics.inference.labels(endpoint).observe(time.perf_counter() - start)
            return result

        return await self.in_worker(work, request)

    def drift_report(self) -> dict[str, Any]:
        """The drift report, also set into the drift gauges (updated when read, not on every request)."""
        report = self.monitor.report()
        if report["score"] is not None:
            self.metrics.drift.set(report["score"])
            for name, value in report["components"].items():
                self.metrics.drift_component.labels(name).set(value)
        return report


async def _cancel_on_disconnect(request: Request, scope: anyio.CancelScope) -> None:
    """Cancel `scope` when the client goes away (polled: ASGI tells only when asked)."""
    while not await request.is_disconnected():
        await anyio.sleep(DISCONNECT_POLL_S)
    scope.cancel()


def service_state(request: Request) -> ServiceState:
    """FastAPI dependency: the app's `ServiceState`."""
    return request.app.state.service


State = Annotated[ServiceState, Depends(service_state)]
