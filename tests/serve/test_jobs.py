"""Slide jobs of a real `unetops serve` on loopback: start, follow, download, cancel, bad input, restart."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from serve.conftest import Served, serving
from unetops.sample.slide import write_synthetic_slide


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    write_synthetic_slide(folder / "cases" / "slide.svs", look="simple")
    (folder / "notes.txt").write_text("not a slide")
    (folder.parent / "outside.svs").write_bytes(b"II*\x00")
    return folder


@pytest.fixture(scope="module")
def service(serving_model: Path, data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("jobs-service")
    options = ["--data-folder", str(data), "--jobs-folder", str(home / "jobs"), "--max-slide-upload-gb", "0.001"]
    with serving(serving_model, home, *options) as server:  # uploads up to about 1 MB
        yield server


def wait(served: Served, job_id: str, until, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = httpx.get(f"{served.url}/v1/jobs/{job_id}", headers=served.auth, timeout=10).json()
        if until(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not get there: {job}")


def start(served: Served, slide: str = "cases/slide.svs", **extra) -> httpx.Response:
    return httpx.post(f"{served.url}/v1/jobs", json={"slide": slide, **extra}, headers=served.auth, timeout=10)


@pytest.fixture(scope="module")
def finished(service: Served) -> dict:
    """A job on the data folder's slide, run to its end."""
    response = start(service)
    assert response.status_code == 201 and response.json()["state"] in ("queued", "running")
    return wait(service, response.json()["id"], lambda j: j["state"] in ("done", "failed"))


def test_a_job_runs_to_its_results(service: Served, finished: dict) -> None:
    listing = httpx.get(f"{service.url}/v1/slides", headers=service.auth).json()
    assert "cases/slide.svs" in listing["slides"] and "notes.txt" not in listing["slides"]
    job = finished
    assert job["state"] == "done", job["error"]
    assert job["tiles_done"] == job["tiles_total"] > 0 and job["seconds_left"] == 0
    assert job["result"]["summary"]["nuclei"] > 0 and "ki67_index" in job["result"]["summary"]
    assert {"nuclei.parquet", "nuclei.geojson", "hotspot.geojson", "summary.json"} <= set(job["files"])
    geojson = httpx.get(f"{service.url}/v1/jobs/{job['id']}/files/nuclei.geojson", headers=service.auth)
    assert geojson.headers["content-type"] == "application/geo+json"
    assert len(geojson.json()["features"]) == job["result"]["summary"]["nuclei"]
    row = next(csv.DictReader(io.StringIO(httpx.get(f"{service.url}/v1/jobs/{job['id']}/summary.csv",
                                                     headers=service.auth).text)))  # fmt: skip
    assert row["slide"] == "cases/slide.svs" and float(row["ki67_index"]) == job["result"]["summary"]["ki67_index"]
    assert job["id"] in [j["id"] for j in httpx.get(f"{service.url}/v1/jobs", headers=service.auth).json()]
    ended = httpx.delete(f"{service.url}/v1/jobs/{job['id']}", headers=service.auth)
    assert ended.status_code == 409 and "already ended" in ended.json()["detail"]


@pytest.mark.parametrize(
    ("slide", "status", "says"),
    [
        ("cases/none.svs", 400, "no such slide"),
        ("../outside.svs", 400, "inside the data folder"),
        ("/etc/passwd.svs", 400, "inside the data folder"),
        ("notes.txt", 415, "not a slide format"),
    ],
)
def test_bad_slides_are_refused(service: Served, slide: str, status: int, says: str) -> None:
    response = start(service, slide)
    assert response.status_code == status and says in response.json()["detail"]


def test_other_bad_requests(service: Served) -> None:
    assert start(service, profile="nope").status_code == 400
    assert httpx.get(f"{service.url}/v1/jobs/0000", headers=service.auth).status_code == 404
    assert httpx.delete(f"{service.url}/v1/jobs/0000", headers=service.auth).status_code == 404
    assert httpx.get(f"{service.url}/v1/jobs").status_code == 401
    assert httpx.get(f"{service.url}/v1/jobs/0000/files/../../job.json", headers=service.auth).status_code == 404


def test_a_running_job_can_be_cancelled(service: Served) -> None:
    job = start(service).json()
    wait(service, job["id"], lambda j: j["state"] == "running" and j["tiles_done"] > 0)
    assert httpx.delete(f"{service.url}/v1/jobs/{job['id']}", headers=service.auth).status_code == 200
    ended = wait(service, job["id"], lambda j: j["state"] != "running")
    assert ended["state"] == "cancelled" and ended["tiles_done"] < ended["tiles_total"]


def test_without_a_data_folder_there_are_no_jobs(served: Served) -> None:
    response = httpx.get(f"{served.url}/v1/jobs", headers=served.auth)
    assert response.status_code == 404 and "--data-folder" in response.json()["detail"]


def test_a_job_resumes_after_the_service_is_killed(serving_model: Path, data: Path, tmp_path: Path) -> None:
    options = ("--data-folder", str(data), "--jobs-folder", str(tmp_path / "jobs"))
    with serving(serving_model, tmp_path, *options) as first:
        job = start(first).json()
        before = wait(first, job["id"], lambda j: j["tiles_done"] >= 10)
        record = json.loads((tmp_path / "jobs" / job["id"] / "job.json").read_text())
        assert record["state"] == "running"
        os.kill(first.pid, signal.SIGKILL)  # mid-job, no chance to tidy up
    tiles = tmp_path / "jobs" / job["id"] / ".slide.work" / "tiles"
    kept = len(list(tiles.glob("*.parquet")))
    assert 0 < kept < before["tiles_total"]
    with serving(serving_model, tmp_path, *options) as second:
        resumed = wait(second, job["id"], lambda j: j["state"] in ("done", "failed"))
    assert resumed["state"] == "done" and resumed["tiles_done"] == resumed["tiles_total"]
    assert resumed["result"]["summary"]["nuclei"] > 0


def test_the_viewer_reads_tiles_and_nuclei_of_a_job(service: Served, finished: dict) -> None:
    done = finished
    base = f"{service.url}/v1/jobs/{done['id']}"
    dzi = httpx.get(f"{base}/slide.dzi", headers=service.auth)
    assert dzi.status_code == 200 and 'Width="4096"' in dzi.text and 'Height="3072"' in dzi.text
    tile = httpx.get(f"{base}/slide_files/12/3_2.jpeg", headers=service.auth)  # level 12: full resolution
    assert tile.headers["content-type"] == "image/jpeg" and tile.content[:2] == b"\xff\xd8"
    assert httpx.get(f"{base}/slide_files/12/99_99.jpeg", headers=service.auth).status_code == 404
    assert httpx.get(f"{base}/slide_files/40/0_0.jpeg", headers=service.auth).status_code == 404
    hot = done["result"]["hotspot"]
    region = {"x": hot["x"], "y": hot["y"], "width": hot["width"], "height": hot["height"]}
    found = httpx.get(f"{base}/nuclei", params=region, headers=service.auth).json()
    # the hot spot's counts come from its field grid, its corner rounded to a pixel: a nucleus or two on the edge
    assert abs(len(found["nuclei"]) - hot["nuclei"]) <= 0.01 * hot["nuclei"] and not found["truncated"]
    assert abs(sum(n["positive"] for n in found["nuclei"]) - hot["positive"]) <= 0.01 * hot["positive"] + 1
    assert all(len(n["contour"]) >= 3 and n["area_um2"] > 0 for n in found["nuclei"])


def test_an_uploaded_image_is_streamed_to_disk_and_analysed(service: Served, data: Path, tmp_path: Path) -> None:
    from PIL import Image

    from unetops.slide.readers import open_slide

    with open_slide(data / "cases" / "slide.svs") as reader:  # a plain JPEG, cut from the slide's tissue
        Image.fromarray(reader.read_region(0, (2304, 1280), (768, 768))).save(tmp_path / "field.jpg", quality=90)
    body = (tmp_path / "field.jpg").read_bytes()
    url = f"{service.url}/v1/jobs/upload"
    missing_mpp = httpx.post(url, params={"name": "field.jpg"}, content=body, headers=service.auth, timeout=30)
    job = wait(service, missing_mpp.json()["id"], lambda j: j["state"] in ("done", "failed"))
    assert job["state"] == "failed" and "--mpp" in job["error"]  # a plain image has no pixel size of its own
    response = httpx.post(url, params={"name": "field.jpg", "mpp": 0.5}, content=body, headers=service.auth, timeout=30)
    assert response.status_code == 201 and response.json()["uploaded"]
    job = wait(service, response.json()["id"], lambda j: j["state"] in ("done", "failed"))
    assert job["state"] == "done", job["error"]
    assert job["result"]["summary"]["nuclei"] > 0 and job["slide"].endswith("/field.jpg")
    assert httpx.get(f"{service.url}/v1/jobs/{job['id']}/slide.dzi", headers=service.auth).status_code == 200


@pytest.mark.parametrize(
    ("name", "body", "status", "says"),
    [
        ("notes.txt", b"text", 415, "not a slide format"),
        ("broken.svs", b"II*\x00" + bytes(200), 400, "broken.svs"),
        ("empty.svs", b"", 400, "empty"),
        ("huge.svs", bytes(2 * 2**20), 413, "over 1,073,741 bytes"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_kept(
    service: Served, name: str, body: bytes, status: int, says: str
) -> None:
    before = set(Path(service.log).parent.joinpath("jobs", "uploads").glob("*"))
    response = httpx.post(f"{service.url}/v1/jobs/upload", params={"name": name}, content=body, headers=service.auth,
                          timeout=30)  # fmt: skip
    assert response.status_code == status and says in response.json()["detail"]
    assert set(Path(service.log).parent.joinpath("jobs", "uploads").glob("*")) == before


def test_with_a_scheduler_jobs_run_on_the_dask_cluster(
    serving_model: Path, data: Path, dask_cluster, finished: dict, tmp_path: Path
) -> None:
    alone = finished
    options = ("--data-folder", str(data), "--jobs-folder", str(tmp_path / "jobs"), "--scheduler", dask_cluster.address)
    with serving(serving_model, tmp_path, *options) as server, dask_cluster.client() as client:
        job = start(server).json()
        wait(server, job["id"], lambda j: j["tiles_done"] > 0)
        worked = client.run(lambda: True)  # both workers are there and answered
        done = wait(server, job["id"], lambda j: j["state"] in ("done", "failed"))
        ran = client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.task_prefixes))
    assert done["state"] == "done", done["error"]
    assert len(worked) == 2 and done["result"]["summary"] == alone["result"]["summary"]
    assert any(name.startswith("slide-block") for name in ran), ran
