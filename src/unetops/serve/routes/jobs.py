"""`/v1/slides` and `/v1/jobs`: the data folder's slides, and slide jobs (start, follow, cancel, download)."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from unetops.errors import UnetopsError
from unetops.serve.jobs import Job, JobManager, JobState
from unetops.serve.problems import Problem
from unetops.serve.routes import AUTHORISED, ERRORS
from unetops.serve.state import State
from unetops.slide.readers import SLIDE_SUFFIXES

router = APIRouter(prefix="/v1", dependencies=AUTHORISED, tags=["slide jobs"], responses=ERRORS)
MEDIA_TYPES = {".parquet": "application/vnd.apache.parquet", ".geojson": "application/geo+json",
               ".json": "application/json", ".png": "image/png", ".tif": "image/tiff"}  # fmt: skip


class JobRequest(BaseModel):
    slide: str = Field(description="a slide of the service's data folder, as `/v1/slides` lists it")
    profile: str = Field("ki67", description="marker profile: ki67, er, pr or her2")


def _jobs(state: State) -> JobManager:
    if state.jobs is None:
        raise Problem(404, "No slide jobs", "this service has no data folder (unetops serve --data-folder DIR)")
    return state.jobs


def _job(state: State, job_id: str) -> Job:
    job = _jobs(state).get(job_id)
    if job is None:
        raise Problem(404, "No such job", f"no job {job_id}")
    return job


@router.get("/slides")
async def slides(state: State) -> dict[str, Any]:
    """The slides of the data folder a job may analyse (paths relative to it)."""
    root = _jobs(state).slides
    found = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.suffix.lower() in SLIDE_SUFFIXES and not p.name.startswith(".")
    )
    return {"slides": found}


@router.post("/jobs", status_code=201, response_model=Job)
async def start_job(request: JobRequest, state: State) -> Job:
    """Queue a slide job: segment and quantify the slide with the served model (`unetops slide quantify`)."""
    if not request.slide.lower().endswith(SLIDE_SUFFIXES):
        raise Problem(415, "Not a slide", f"{request.slide}: not a slide format ({', '.join(SLIDE_SUFFIXES)})")
    try:
        return _jobs(state).submit(request.slide, request.profile)
    except UnetopsError as exc:
        raise Problem(400, "Cannot start the job", exc.render()) from None


@router.get("/jobs", response_model=list[Job])
async def list_jobs(state: State) -> list[Job]:
    """Every job, newest first."""
    return _jobs(state).listing()


@router.get("/jobs/{job_id}", response_model=Job)
async def get_job(job_id: str, state: State) -> Job:
    """A job's state, tiles done and total, rate, time left, error, and once done its summary and files."""
    return _job(state, job_id)


@router.delete("/jobs/{job_id}", response_model=Job)
async def cancel_job(job_id: str, state: State) -> Job:
    """Cancel a queued or running job (a running one stops at its next tile)."""
    _job(state, job_id)
    try:
        job = _jobs(state).cancel(job_id)
    except UnetopsError as exc:
        raise Problem(409, "Job has ended", exc.render()) from None
    assert job is not None
    return job


@router.get("/jobs/{job_id}/summary.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def job_summary_csv(job_id: str, state: State) -> Response:
    """The slide's summary and hot spot as one CSV row."""
    job = _done(state, job_id)
    assert job.result is not None
    hotspot = {f"hotspot_{k}": v for k, v in (job.result["hotspot"] or {}).items()}
    row = {"slide": job.slide, "profile": job.profile, **job.result["summary"], **hotspot}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(row), lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    return Response(buffer.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{job.id}-summary.csv"'})  # fmt: skip


@router.get("/jobs/{job_id}/files/{name:path}", response_class=FileResponse)
async def job_file(job_id: str, name: str, state: State) -> FileResponse:
    """A result file of a finished job (`files` of the job: nuclei.parquet, nuclei.geojson, hotspot.geojson,
    summary.json, pictures, pyramids)."""
    job = _done(state, job_id)
    if name not in job.files:
        raise Problem(404, "No such file", f"job {job_id} has no file {name}")
    path = _jobs(state).result_folder(job) / name
    media = next((t for suffix, t in MEDIA_TYPES.items() if name.endswith(suffix)), "application/octet-stream")
    return FileResponse(path, media_type=media, filename=path.name)


def _done(state: State, job_id: str) -> Job:
    job = _job(state, job_id)
    if job.state is not JobState.done:
        raise Problem(409, "Job not done", f"job {job_id} is {job.state.value}")
    return job
