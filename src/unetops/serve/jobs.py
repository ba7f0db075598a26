"""`JobManager`: slide jobs of the service, queued, run a bounded number at a time, kept on disk.

Each job is a folder `<jobs>/<id>/` holding `job.json` (its record, rewritten atomically as it progresses)
and the results of `quantify_slide` (`<slide name>/`, and the work folder while it runs). A service that
stops mid-job finds its queued and running jobs on the next start and runs them again; the slide's finished
tiles are kept, so a job resumes where it stopped.
"""

from __future__ import annotations

import json
import logging
import queue
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from unetops.errors import UnetopsError
from unetops.fileio import atomic_write_json
from unetops.model.backends import LoadedModel
from unetops.model.segmenter import Segmenter
from unetops.quantify.config import QuantifyConfig

if TYPE_CHECKING:  # the slide extra is imported only by a service with slide jobs
    from unetops.slide.quantify import SlideJob

log = logging.getLogger(__name__)
PROGRESS_EVERY_S = 1.0  # how often a running job's record is written to disk


class JobState(str, Enum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
    cancelled = "cancelled"


FINAL = (JobState.done, JobState.failed, JobState.cancelled)


class Job(BaseModel):
    """A slide job as `GET /v1/jobs/{id}` shows it."""

    id: str
    slide: str = Field(description="the slide, relative to the service's data folder (or uploads/<id>/<name>)")
    uploaded: bool = Field(False, description="the slide was uploaded (kept in the jobs folder)")
    profile: str
    mpp: float | None = Field(None, description="micrometres per pixel, for a slide or image that lacks it")
    state: JobState = JobState.queued
    created: str
    started: str | None = None
    finished: str | None = None
    tiles_done: int = 0
    tiles_total: int | None = None
    tiles_per_second: float | None = None
    seconds_left: float | None = None
    error: str | None = None
    result: dict[str, Any] | None = Field(None, description="the slide's summary and hot spot, once done")
    files: list[str] = Field(default_factory=list, description="result files, once done")


class Cancelled(Exception):
    """Raised inside a running job whose cancellation was asked."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class JobManager:
    """Slide jobs: `submit` queues one, `max_running` worker threads run them, records live in `folder`.

    Args:
        folder: where job folders are kept (created if missing).
        slides: the data folder slides are chosen from.
        current: the model serving now and its SHA-256 (a job takes the model of its start).
        profiles: the marker profiles a job may name.
        max_running: jobs run at once; the others wait in the queue.
        scheduler: a Dask scheduler to run the jobs' tiles on (`unetops.cluster.connect`); None: here.
    """

    def __init__(
        self,
        folder: Path,
        slides: Path,
        current: Callable[[], tuple[LoadedModel, str]],
        profiles: dict[str, QuantifyConfig],
        *,
        max_running: int = 1,
        scheduler: str | None = None,
    ) -> None:
        self.folder, self.slides, self.profiles, self.current = folder, slides, profiles, current
        self.scheduler = scheduler
        self.jobs: dict[str, Job] = {}
        self.cancelling: set[str] = set()
        self.lock = threading.Lock()
        self.waiting: queue.Queue[str | None] = queue.Queue()
        self.max_running = max_running
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        """Load the jobs on disk (queued and running ones are queued again, oldest first) and start the runners."""
        self.folder.mkdir(parents=True, exist_ok=True)
        records = []
        for record in self.folder.glob("*/job.json"):
            try:
                records.append(Job.model_validate_json(record.read_text()))
            except ValueError:
                log.warning("%s: not a job record, left alone", record)
        for job in sorted(records, key=lambda j: j.created):
            if job.state not in FINAL:
                job.state = JobState.queued
                self.waiting.put(job.id)
            self.jobs[job.id] = job
        for number in range(self.max_running):
            thread = threading.Thread(target=self._run_queue, name=f"unetops-job-{number}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        """Let the runners end after their current job (a job cut short resumes at the next start)."""
        for _ in self.threads:
            self.waiting.put(None)

    def slide_path(self, relative: str) -> Path:
        """The slide `relative` names in the data folder.

        Raises:
            UnetopsError: it leaves the data folder, does not exist or is not a file.
        """
        root = self.slides.resolve()
        path = (root / relative).resolve()
        if not path.is_relative_to(root):
            raise UnetopsError("the slide must be inside the data folder", path=relative)
        if not path.is_file():
            raise UnetopsError("no such slide in the data folder", path=relative)
        return path

    def check_profile(self, profile: str) -> None:
        """Raises `UnetopsError` for a profile jobs cannot use."""
        if profile not in self.profiles:
            raise UnetopsError(f"unknown profile {profile!r}; one of {', '.join(self.profiles)}")

    def upload_folder(self) -> Path:
        """A new folder for one uploaded slide."""
        folder = self.folder / "uploads" / secrets.token_hex(8)
        folder.mkdir(parents=True)
        return folder

    def submit(self, relative: str, profile: str, mpp: float | None = None, *, uploaded: bool = False) -> Job:
        """Queue a job for a slide of the data folder (or, `uploaded`, of the jobs folder's uploads).

        Raises:
            UnetopsError: the slide or the profile is unknown.
        """
        if not uploaded:
            self.slide_path(relative)
        self.check_profile(profile)
        job = Job(id=secrets.token_hex(8), slide=relative, uploaded=uploaded, profile=profile, mpp=mpp, created=_now())
        with self.lock:
            self.jobs[job.id] = job
            self._save(job)
        self.waiting.put(job.id)
        return job

    def listing(self) -> list[Job]:
        with self.lock:
            return [job.model_copy() for job in sorted(self.jobs.values(), key=lambda j: j.created, reverse=True)]

    def get(self, job_id: str) -> Job | None:
        with self.lock:
            job = self.jobs.get(job_id)
            return job.model_copy() if job else None

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a queued or running job (a running one stops at its next tile); None if there is no such job.

        Raises:
            UnetopsError: the job has already ended.
        """
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None:
                return None
            if job.state in FINAL:
                raise UnetopsError(f"job {job_id} has already ended ({job.state.value})")
            if job.state is JobState.queued:
                job.state, job.finished = JobState.cancelled, _now()
                self._save(job)
            else:
                self.cancelling.add(job_id)
            return job.model_copy()

    def slide_file(self, job: Job) -> Path:
        """The job's slide file."""
        return (self.folder if job.uploaded else self.slides) / job.slide

    def result_folder(self, job: Job) -> Path:
        from unetops.slide.quantify import result_name

        return self.folder / job.id / result_name(self.slide_file(job))

    def _slide_job(self, job: Job, model: LoadedModel, sha256: str) -> SlideJob:
        from unetops.slide.quantify import SlideJob

        metadata = model.metadata
        return SlideJob(self.slide_file(job), self.folder / job.id, self.profiles[job.profile], sha256,
                        metadata.dataset_spec.pixel_size_um, job.mpp,
                        instance_labels=metadata.network.target == "instances")  # fmt: skip

    def _save(self, job: Job) -> None:
        atomic_write_json(self.folder / job.id / "job.json", job.model_dump(mode="json"))

    def _run_queue(self) -> None:
        while (job_id := self.waiting.get()) is not None:
            with self.lock:
                job = self.jobs.get(job_id)
                if job is None or job.state is not JobState.queued:  # cancelled while it waited
                    continue
                job.state, job.started = JobState.running, _now()
                self._save(job)
            self._run(job)

    def _progress(self, job: Job) -> tuple[Callable[[int], None], Callable[[int], None]]:
        """`quantify_slide`'s progress callbacks for `job`: counts, rate and time left, written to disk every
        second; each checks whether the job was cancelled."""
        started, last_saved = time.monotonic(), [0.0]
        first_done: list[int] = []

        def on_start(total: int) -> None:
            with self.lock:
                job.tiles_total = total

        def on_progress(advance: int) -> None:
            with self.lock:
                if job.id in self.cancelling:
                    raise Cancelled
                job.tiles_done += advance
                if not first_done:  # tiles finished before a restart are not part of this run's rate
                    first_done.append(job.tiles_done)
                    return
                elapsed = time.monotonic() - started
                rate = (job.tiles_done - first_done[0]) / elapsed if elapsed > 0 else None
                job.tiles_per_second = rate
                if rate and job.tiles_total is not None:
                    job.seconds_left = (job.tiles_total - job.tiles_done) / rate
                if time.monotonic() - last_saved[0] > PROGRESS_EVERY_S:
                    last_saved[0] = time.monotonic()
                    self._save(job)

        return on_start, on_progress

    def _quantify(
        self, slide: SlideJob, model: LoadedModel, on_start: Callable[[int], None], on_progress: Callable[[int], None]
    ) -> dict:
        """The slide's results, computed here or on the Dask cluster."""
        from unetops.cluster import connect
        from unetops.slide.batch import quantify_slides
        from unetops.slide.masks import model_masks, worker_model_masks
        from unetops.slide.quantify import quantify_job

        if self.scheduler is None:
            return quantify_job(slide, model_masks(Segmenter(model)), on_start=on_start, on_progress=on_progress)
        with connect(self.scheduler) as client:
            masks = worker_model_masks(model)
            result = quantify_slides(client, [slide], masks, on_start=on_start, on_progress=on_progress)
        if result.failed:
            raise UnetopsError(result.failed[0][1])
        return result.documents[slide.slide]

    def _run(self, job: Job) -> None:
        model, sha256 = self.current()
        slide = self._slide_job(job, model, sha256)
        on_start, on_progress = self._progress(job)
        job.tiles_done = 0
        try:
            document = self._quantify(slide, model, on_start, on_progress)
        except Cancelled:
            outcome = {"state": JobState.cancelled}
            shutil.rmtree(slide.work, ignore_errors=True)
        except UnetopsError as exc:
            outcome = {"state": JobState.failed, "error": exc.render()}
        except Exception as exc:  # a bug: the job fails, the service goes on
            log.exception("job %s failed", job.id)
            outcome = {"state": JobState.failed, "error": f"{type(exc).__name__}: {exc}"}
        else:
            files = sorted(p.relative_to(slide.final).as_posix() for p in slide.final.rglob("*") if p.is_file())
            result = {"summary": document["summary"], "hotspot": document["hotspot"], "tiles": document["tiles"]}
            outcome = {"state": JobState.done, "result": json.loads(json.dumps(result)), "files": files,
                       "seconds_left": 0.0}  # fmt: skip
        with self.lock:
            self.cancelling.discard(job.id)
            for key, value in {**outcome, "finished": _now()}.items():
                setattr(job, key, value)
            self._save(job)
