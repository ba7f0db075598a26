"""Outputs on object storage: an S3-compatible server on loopback, written through fsspec (s3fs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import rgb_image, write_image
from unetops.cli.app import app
from unetops.cluster import MARKERS
from unetops.inference.predict import predict_files
from unetops.model.backends import load_model
from unetops.storage import is_remote, join, location, read_text, read_texts, staged, write_text


def test_locations() -> None:
    assert location("s3://bucket/a//b") == "s3://bucket/a//b" and location("out/x") == Path("out/x")
    assert is_remote("s3://b/x") and not is_remote("file:///tmp/x") and not is_remote(Path("/tmp/x"))
    assert join("s3://b/x/", "y", "z.json") == "s3://b/x/y/z.json" and join(Path("a"), "b") == Path("a/b")


def test_staged_uploads_only_a_complete_folder_and_its_mark_last(s3) -> None:
    with staged("s3://unetops/run", last="summary.json") as folder:
        for name in ("summary.json", "a.txt", "sub/b.txt"):
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(name)
    assert sorted(s3.find("unetops/run")) == ["unetops/run/a.txt", "unetops/run/sub/b.txt", "unetops/run/summary.json"]
    assert read_text("s3://unetops/run/sub/b.txt") == "sub/b.txt" and read_text("s3://unetops/run/none") is None
    with pytest.raises(RuntimeError), staged("s3://unetops/failed") as folder:
        (folder / "half.txt").write_text("half")
        raise RuntimeError
    assert not s3.exists("unetops/failed/half.txt")


@pytest.mark.parametrize("remote", [False, True])
def test_read_texts_reads_those_that_exist(remote: bool, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    folder = "s3://unetops/texts" if remote else tmp_path / "texts"
    if remote:
        request.getfixturevalue("s3")
        write_text("s3://unetops/texts/a.json", "1")
        write_text("s3://unetops/texts/b.json", "2")
    else:
        folder.mkdir()
        (folder / "a.json").write_text("1")
        (folder / "b.json").write_text("2")
    assert read_texts(folder, ["a.json", "b.json", "c.json"]) == {"a.json": "1", "b.json": "2"}
    assert read_texts(folder, ["c.json"]) == {} and read_texts(join(folder, "none"), ["a.json"]) == {}


def test_workers_write_predictions_to_object_storage(s3, dask_cluster, tiny_model: Path, tmp_path: Path) -> None:
    for number in range(4):
        write_image(tmp_path / "in" / f"i{number}.png", rgb_image(64, seed=number))
    (tmp_path / "in" / "broken.png").write_bytes(b"no")
    model = load_model(tiny_model)
    alone = predict_files([tmp_path / "in"], model, tmp_path / "alone")
    with dask_cluster.client() as client:
        summary = predict_files([tmp_path / "in"], model, "s3://unetops/predictions", client=client)
        ticks: list[int] = []
        again = predict_files(
            [tmp_path / "in"], model, "s3://unetops/predictions", client=client, on_progress=ticks.append
        )
    assert sorted(summary.written) == sorted(f"s3://unetops/predictions/{p.name}" for p in alone.written)
    for path in alone.written:
        assert s3.cat_file(f"unetops/predictions/{path.name}") == path.read_bytes()
    assert len(s3.find(f"unetops/predictions/{MARKERS}")) == 4  # the done marks, on the storage too
    assert again.written == summary.written and ticks == [4, 1]  # the 4 done read from their marks at once


def test_quantify_writes_its_tables_to_object_storage(s3, dask_cluster, tiny_model: Path, tmp_path: Path) -> None:
    images = tmp_path / "images"
    for number in range(3):
        write_image(images / f"i{number}.png", rgb_image(64, seed=number))
    command = ["quantify", str(images), "--model", str(tiny_model), "-o", "s3://unetops/numbers"]
    result = CliRunner().invoke(app, [*command, "--scheduler", dask_cluster.address])
    assert result.exit_code == 0, result.output
    assert len((read_text("s3://unetops/numbers/images.csv") or "").splitlines()) == 4
    assert len(s3.find("unetops/numbers/qc")) == 3
