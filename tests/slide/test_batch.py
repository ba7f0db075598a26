"""Slides on a real Dask cluster (a scheduler and two workers on loopback), one of them killed mid-run."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from unetops.cli.app import app
from unetops.quantify.config import load_profile
from unetops.sample.slide import SyntheticSlide
from unetops.slide.batch import quantify_slides
from unetops.slide.masks import precomputed_masks
from unetops.slide.quantify import SlideJob, quantify_slide, quantify_slide_to
from unetops.slide.settings import SlideSettings

KI67 = load_profile("ki67")
QUICK = SlideSettings(qc_fields=1)


def test_slides_survive_a_killed_worker_and_match_one_process(
    dask_cluster, svs_slide: SyntheticSlide, ome_slide: SyntheticSlide, tmp_path: Path
) -> None:
    masks = precomputed_masks(svs_slide.truth_mask)  # both slides are the same picture
    alone = quantify_slide(svs_slide.path, masks, tmp_path / "alone", KI67, masks_id="truth", settings=QUICK)
    broken = tmp_path / "broken.svs"
    broken.write_bytes(b"II*\x00" + bytes(100))
    other = tmp_path / "other.ome.tif"
    other.write_bytes(ome_slide.path.read_bytes())
    out = tmp_path / "out"
    slides = (svs_slide.path, broken, other, ome_slide.path)  # the last has the first's result name
    jobs = [SlideJob(path, out, KI67, "truth", settings=QUICK) for path in slides]
    ticks: list[int] = []
    with dask_cluster.client() as client:
        running: dict = {}
        batch = threading.Thread(
            target=lambda: running.update(
                result=quantify_slides(client, jobs, masks, tiles_per_task=4, on_progress=ticks.append)
            )
        )
        batch.start()
        dask_cluster.kill_a_busy_worker(client)
        batch.join(timeout=600)
    result = running["result"]
    assert [path for path, _ in result.failed] == [broken, ome_slide.path]
    assert "broken.svs" in result.failed[0][1] and "same result folder" in result.failed[1][1]
    assert list(result.documents) == [svs_slide.path, other]
    assert sum(ticks) == 2 * alone["tiles"]["analysed"]
    whole = pq.read_table(tmp_path / "alone" / "synthetic" / "nuclei.parquet")
    assert pq.read_table(out / "synthetic" / "nuclei.parquet").equals(whole)
    geometry = ["id", "x", "y", "tile", "area_um2", "contour"]  # the OME copy's pixels differ a little (JPEG)
    assert pq.read_table(out / "other" / "nuclei.parquet", columns=geometry).equals(whole.select(geometry))
    assert result.documents[svs_slide.path]["summary"] == alone["summary"]
    assert sorted(p.name for p in out.iterdir()) == ["other", "synthetic"], "a folder per slide, no work left"
    assert sum(w.poll() is None for w in dask_cluster.workers) == 1


def test_a_finished_slide_is_not_analysed_again(dask_cluster, svs_slide: SyntheticSlide, tmp_path: Path) -> None:
    masks = precomputed_masks(svs_slide.truth_mask)
    jobs = [SlideJob(svs_slide.path, tmp_path, KI67, "truth", settings=QUICK)]
    with dask_cluster.client() as client:
        first = quantify_slides(client, jobs, masks).documents[svs_slide.path]
        written = (tmp_path / "synthetic" / "summary.json").stat().st_mtime_ns
        again = quantify_slides(client, jobs, masks).documents[svs_slide.path]
        unchanged = (tmp_path / "synthetic" / "summary.json").stat().st_mtime_ns == written
        other = SlideJob(svs_slide.path, tmp_path, KI67, "truth", settings=QUICK.model_copy(update={"qc_fields": 0}))
        changed = quantify_slides(client, [other], masks).documents[svs_slide.path]
    assert again == json.loads(json.dumps(first)) and unchanged
    assert changed["fingerprint"] != first["fingerprint"] and changed["summary"] == first["summary"]


def test_the_slide_command_on_a_cluster(dask_cluster, svs_slide: SyntheticSlide, tmp_path: Path) -> None:
    command = ["slide", "quantify", str(svs_slide.path), "--masks", str(svs_slide.truth_mask), "-o", str(tmp_path)]
    result = CliRunner().invoke(app, [*command, "--scheduler", dask_cluster.address])
    assert result.exit_code == 0, result.output
    assert "2 worker(s)" in result.output and "synthetic" in result.output
    assert (tmp_path / "synthetic" / "summary.json").is_file()


def test_slides_on_object_storage(s3, dask_cluster, svs_slide: SyntheticSlide, tmp_path: Path) -> None:
    slide = ["slide", "quantify", str(svs_slide.path), "--masks", str(svs_slide.truth_mask)]
    result = CliRunner().invoke(app, [*slide, "-o", "s3://unetops/slides", "--scheduler", dask_cluster.address])
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(app, [*slide, "-o", str(tmp_path / "local"), "--workers", "1"]).exit_code == 0
    names = {Path(p).name for p in s3.find("unetops/slides/synthetic")}
    assert {"summary.json", "nuclei.parquet", "nuclei.geojson", "hotspot.geojson", "mask.ome.tif"} <= names
    with s3.open("unetops/slides/synthetic/nuclei.parquet", "rb") as handle:
        assert pq.read_table(handle).equals(pq.read_table(tmp_path / "local" / "synthetic" / "nuclei.parquet"))
    written = s3.info("unetops/slides/synthetic/summary.json")["LastModified"]
    time.sleep(1.5)  # the store keeps times to the second: a rewrite would show
    again = CliRunner().invoke(app, [*slide, "-o", "s3://unetops/slides", "--workers", "1"])
    s3.invalidate_cache()
    assert again.exit_code == 0 and s3.info("unetops/slides/synthetic/summary.json")["LastModified"] == written


class Stop(Exception):
    pass


def test_a_slide_for_object_storage_continues_from_this_machines_cache(
    s3, svs_slide: SyntheticSlide, model_cache: Path
) -> None:
    truth = precomputed_masks(svs_slide.truth_mask)
    job = SlideJob(svs_slide.path, "s3://unetops/resumed", KI67, "truth", settings=QUICK)
    calls: list[int] = []

    def failing(pixels, tile):
        if len(calls) == 6:
            raise Stop  # as a killed run would, part way
        calls.append(tile.index)
        return truth(pixels, tile)

    with pytest.raises(Stop):
        quantify_slide_to(job, failing)
    assert not s3.exists("unetops/resumed/synthetic/summary.json")
    kept = {int(p.stem) for p in (model_cache / "slides").glob("*/.synthetic.work/tiles/*.parquet")}
    assert kept and kept <= set(calls)
    again: list[int] = []

    def counting(pixels, tile):
        again.append(tile.index)
        return truth(pixels, tile)

    document = quantify_slide_to(job, counting)
    assert kept.isdisjoint(again) and len(kept) + len(again) == document["tiles"]["analysed"]  # none done twice
    assert s3.exists("unetops/resumed/synthetic/summary.json") and not any((model_cache / "slides").iterdir())
