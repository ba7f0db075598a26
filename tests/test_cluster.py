"""Batches on a real Dask cluster: a scheduler and two workers started on loopback by the tests."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import rgb_image, write_image
from unetops.cli.app import app
from unetops.cluster import MARKERS, connect, item_key
from unetops.errors import UnetopsError
from unetops.inference.predict import predict_files
from unetops.model.backends import load_model
from unetops.parallel import default_workers


def images(folder: Path, count: int, size: int = 256) -> Path:
    for number in range(count):
        write_image(folder / f"image {number:02d}.png", rgb_image(size, seed=number))
    (folder / "broken.png").write_bytes(b"not a png")
    return folder


def outputs(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def test_a_killed_worker_costs_nothing_but_time(dask_cluster, tiny_model: Path, tmp_path: Path) -> None:
    inputs = images(tmp_path / "in", 16, size=384)
    model = load_model(tiny_model)
    alone = predict_files([inputs], model, tmp_path / "alone")
    with dask_cluster.client() as client:
        running: dict = {}
        batch = threading.Thread(
            target=lambda: running.update(summary=predict_files([inputs], model, tmp_path / "out", client=client))
        )
        batch.start()
        dask_cluster.kill_a_busy_worker(client)
        batch.join(timeout=300)
    summary = running["summary"]
    assert [path.name for path, _ in summary.failed] == ["broken.png"]
    assert sorted(summary.written) == sorted(tmp_path / "out" / p.name for p in alone.written)
    assert outputs(tmp_path / "out") == outputs(tmp_path / "alone")  # each output once, as one process makes it
    assert len(dask_cluster.workers) - sum(w.poll() is None for w in dask_cluster.workers) == 1


def test_a_rerun_does_only_what_is_not_done(dask_cluster, tiny_model: Path, tmp_path: Path) -> None:
    inputs = images(tmp_path / "in", 6)
    model, out = load_model(tiny_model), tmp_path / "out"
    with dask_cluster.client() as client:
        predict_files([inputs], model, out, client=client)
        before = {path.name: path.stat().st_mtime_ns for path in out.iterdir() if path.is_file()}
        lost = next((out / MARKERS).iterdir()) / f"{item_key(inputs / 'image 03.png')}.json"
        lost.unlink()  # as if the run had crashed before this image
        ticks: list[int] = []
        again = predict_files([inputs], model, out, client=client, on_progress=ticks.append)
    after = {path.name: path.stat().st_mtime_ns for path in out.iterdir() if path.is_file()}
    redone = sorted(name for name in before if after[name] != before[name])
    assert redone == ["image_03_mask.png", "image_03_overlay.png"]
    assert sum(ticks) == 7 and len(again.written) == 12 and len(again.failed) == 1


def test_the_commands_take_a_scheduler_address(dask_cluster, tiny_model: Path, tmp_path: Path) -> None:
    inputs = images(tmp_path / "in", 3)
    result = CliRunner().invoke(
        app, ["predict", str(tiny_model), str(inputs), "-o", str(tmp_path / "p"), "--scheduler", dask_cluster.address]
    )
    assert result.exit_code == 1, result.output  # the broken image
    assert f"2 worker(s) at {dask_cluster.address}" in result.output and "broken.png" in result.output
    assert len(list((tmp_path / "p").glob("*_mask.png"))) == 3
    command = ["quantify", str(inputs), "--model", str(tiny_model), "-o", str(tmp_path / "q")]
    result = CliRunner().invoke(app, [*command, "--scheduler", dask_cluster.address])
    assert result.exit_code == 1, result.output
    rows = (tmp_path / "q" / "images.csv").read_text().splitlines()
    assert len(rows) == 4 and len(list((tmp_path / "q" / "qc").glob("*.png"))) == 3


def test_quantify_on_a_cluster_matches_one_process(dask_cluster, tiny_model: Path, tmp_path: Path) -> None:
    inputs = images(tmp_path / "in", 4)
    command = ["quantify", str(inputs), "--model", str(tiny_model)]
    CliRunner().invoke(app, [*command, "-o", str(tmp_path / "alone"), "--workers", "1"])
    CliRunner().invoke(app, [*command, "-o", str(tmp_path / "cluster"), "--scheduler", dask_cluster.address])
    for name in ("nuclei.csv", "images.csv"):
        assert (tmp_path / "cluster" / name).read_text() == (tmp_path / "alone" / name).read_text()


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UnetopsError, match="cannot reach the Dask scheduler"), connect("tcp://127.0.0.1:9", timeout=2):
        pass


def test_by_default_a_batch_runs_on_a_local_cluster_of_this_machine(tiny_model: Path, tmp_path: Path) -> None:
    inputs = images(tmp_path / "in", 3)
    command = [sys.executable, "-m", "unetops", "predict", str(tiny_model), str(inputs), "-o", str(tmp_path / "out")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "broken.png" in done.stderr  # the one unreadable input
    assert len(list((tmp_path / "out").glob("*_mask.png"))) == 3
    if default_workers() > 1:
        assert f"Dask: {min(default_workers(), 4)} worker(s)" in done.stderr
