"""`/v1/slides` and `/v1/jobs`: the data folder's slides, and slide jobs (start, follow, cancel, download)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from unetops.errors import UnetopsError
from unetops.fileio import TEMPORARY_SUFFIX, safe_name
from unetops.serve.jobs import Job, JobManager, JobState
from unetops.serve.problems import PROBLEM_TYPE, Problem
from unetops.serve.routes import AUTHORISED, ERRORS
from unetops.serve.state import State
from unetops.serve.viewer import nuclei_in
from unetops.slide.readers import SLIDE_SUFFIXES, open_slide

JOB_ERRORS = {
    **ERRORS,
    404: {"content": {PROBLEM_TYPE: {}}, "description": "no slide jobs here (no data folder), or no such job or file"},
    409: {"content": {PROBLEM_TYPE: {}}, "description": "the job is not done, or has already ended"},
}
router = APIRouter(prefix="/v1", dependencies=AUTHORISED, tags=["slide jobs"], responses=JOB_ERRORS)
MEDIA_TYPES = {".parquet": "application/vnd.apache.parquet", ".geojson": "application/geo+json",
               ".json": "application/json", ".png": "image/png", ".tif": "image/tiff"}  # fmt: skip


class JobRequest(BaseModel):
    slide: str = Field(description="a slide of the service's data folder, as `/v1/slides` lists it")
    profile: str = Field("ki67", description="marker profile: ki67, er, pr or her2")
    mpp: float | None = Field(None, gt=0, le=100, description="micrometres per pixel, for an image that lacks it")


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
    return {"slides": await anyio.to_thread.run_sync(_slides_in, _jobs(state).slides)}


def _slides_in(root: Path) -> list[str]:
    """The slide files below `root` (a walk of a shared folder may take a while: not on the event loop)."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.suffix.lower() in SLIDE_SUFFIXES and not p.name.startswith(".")
    )


@router.post("/jobs", status_code=201, response_model=Job)
async def start_job(request: JobRequest, state: State) -> Job:
    """Queue a slide job: segment and quantify the slide with the served model (`unetops slide quantify`)."""
    if not request.slide.lower().endswith(SLIDE_SUFFIXES):
        raise Problem(415, "Not a slide", f"{request.slide}: not a slide format ({', '.join(SLIDE_SUFFIXES)})")
    try:
        return _jobs(state).submit(request.slide, request.profile, request.mpp)
    except UnetopsError as exc:
        raise Problem(400, "Cannot start the job", exc.render()) from None


@router.post(
    "/jobs/upload",
    status_code=201,
    response_model=Job,
    openapi_extra={"requestBody": {"content": {"application/octet-stream": {}}, "required": True}},
)
async def upload_job(
    request: Request,
    state: State,
    name: str = Query(
        min_length=1, max_length=255, description="the slide's file name (its extension says its format)"
    ),
    profile: str = Query("ki67", description="marker profile: ki67, er, pr or her2"),
    mpp: float | None = Query(None, gt=0, le=100, description="micrometres per pixel, for an image that lacks it"),
) -> Job:
    """Upload a slide (the request body is the file, streamed to disk within the slide upload limit) and queue a
    job for it."""
    jobs = _jobs(state)
    if not name.lower().endswith(SLIDE_SUFFIXES):
        raise Problem(415, "Not a slide", f"{name}: not a slide format ({', '.join(SLIDE_SUFFIXES)})")
    try:
        jobs.check_profile(profile)
    except UnetopsError as exc:
        raise Problem(400, "Cannot start the job", exc.render()) from None
    folder = jobs.upload_folder()
    target = folder / safe_name(name)
    partial = target.with_name(f".{target.name}{TEMPORARY_SUFFIX}")
    try:
        async with await anyio.open_file(partial, "wb") as handle:
            async for chunk in request.stream():
                await handle.write(chunk)
        if partial.stat().st_size == 0:
            raise Problem(400, "Empty upload", f"{name}: the request body is empty")
        partial.replace(target)
        await anyio.to_thread.run_sync(_readable, target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return jobs.submit(target.relative_to(jobs.folder).as_posix(), profile, mpp, uploaded=True)


def _readable(path: Path) -> None:
    """Raises a 400 problem for an uploaded file no reader opens."""
    try:
        open_slide(path).close()
    except UnetopsError as exc:
        raise Problem(400, "Unreadable slide", f"{path.name}: {exc.problem}") from None


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


@router.get("/jobs/{job_id}/slide.dzi", response_class=Response, responses={200: {"content": {"application/xml": {}}}})
async def job_slide_dzi(job_id: str, state: State) -> Response:
    """The job's slide as a Deep Zoom image (OpenSeadragon opens it; tiles under `slide_files/`)."""
    path = _slide(state, job_id)
    dzi = await anyio.to_thread.run_sync(lambda: state.views.pyramid(path).dzi())
    return Response(dzi, media_type="application/xml")


@router.get(
    "/jobs/{job_id}/slide_files/{level}/{tile}.jpeg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
)
async def job_slide_tile(job_id: str, level: int, tile: str, state: State) -> Response:
    """One Deep Zoom tile (`<column>_<row>`) of the job's slide, as JPEG (cached)."""
    path = _slide(state, job_id)
    try:
        column, row = (int(part) for part in tile.split("_"))
    except ValueError:
        raise Problem(404, "No such tile", f"{tile}: not <column>_<row>") from None
    try:
        data = await anyio.to_thread.run_sync(state.views.tile, path, level, column, row)
    except UnetopsError as exc:
        raise Problem(404, "No such tile", exc.problem) from None
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})


@router.get("/jobs/{job_id}/nuclei")
async def job_nuclei(
    job_id: str,
    state: State,
    x: float = Query(ge=0),
    y: float = Query(ge=0),
    width: float = Query(gt=0, le=100_000),
    height: float = Query(gt=0, le=100_000),
) -> dict[str, Any]:
    """The nuclei of a finished job in a region of the slide (level-0 pixels): outlines and measurements."""
    job = _done(state, job_id)
    table = _jobs(state).result_folder(job) / "nuclei.parquet"
    return await anyio.to_thread.run_sync(nuclei_in, table, x, y, width, height)


def _slide(state: State, job_id: str) -> Path:
    path = _jobs(state).slide_file(_job(state, job_id))
    if not path.is_file():
        raise Problem(404, "Slide gone", f"{path.name} is no longer there")
    return path


def _done(state: State, job_id: str) -> Job:
    job = _job(state, job_id)
    if job.state is not JobState.done:
        raise Problem(409, "Job not done", f"job {job_id} is {job.state.value}")
    return job
