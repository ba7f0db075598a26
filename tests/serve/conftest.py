"""A real `unetops serve` process on loopback, shared by the service tests of one module."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import free_port, wait_until_healthy

TOKEN = "test-token-0123456789abcdef"
CHROMIUM = os.environ.get("UNETOPS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("UNETOPS_TEST_ARTIFACTS", Path(__file__).parents[2] / "build" / "test-artifacts"))
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not Path(CHROMIUM).is_file():
        missing = f"no Chromium at {CHROMIUM} (apt-get install chromium, or set UNETOPS_CHROMIUM)"
        if os.environ.get("UNETOPS_REQUIRE_BROWSER"):
            pytest.fail(missing)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


UPLOAD_LIMIT_MB = 1


@dataclass
class Served:
    url: str
    token: str
    log: Path
    pid: int

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="session")
def serving_model(tiny_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small model trained long enough (about 5 s) to find nuclei, so counts and tables are not empty."""
    from helpers import tiny_train_config
    from unetops.train.loop import train_model

    config = tiny_train_config(epochs=20, steps_per_epoch=4, patch_size=64, base_width=8, learning_rate=0.01)
    return train_model(tiny_dataset, config, tmp_path_factory.mktemp("serving") / "run", experiment=None).model_dir


@contextlib.contextmanager
def serving(model: Path | str, home: Path, *options: str, registry: bool = False) -> Iterator[Served]:
    """`unetops serve --model MODEL [options]` in a subprocess (working directory `home`; no registry unless
    `registry`: then this process's MLFLOW_TRACKING_URI) while inside."""
    port = free_port()
    env = {**os.environ, "UNETOPS_API_TOKENS": TOKEN}
    if not registry:
        env.pop("MLFLOW_TRACKING_URI", None)
    log = home / "serve.log"
    command = [sys.executable, "-m", "unetops", "serve", "--model", str(model), "--port", str(port)]
    command += ["--max-upload-mb", str(UPLOAD_LIMIT_MB), "--max-pixels", "4000000", "--threads", "1", *options]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(f"{url}/healthz", process, log, timeout=60)
        yield Served(url, TOKEN, log, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def served(serving_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`unetops serve` with the serving model until the module ends."""
    with serving(serving_model, tmp_path_factory.mktemp("serve")) as server:
        yield server
