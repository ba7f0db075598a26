"""A team's tracking server, for real (the fixture `tracking_server`, registered in conftest.py): a throw-away PostgreSQL cluster (Debian's `initdb` and `pg_ctl`, run as an
unprivileged user when the tests run as root) and `mlflow server` on it, both on loopback."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import free_port, wait_until_healthy

UNPRIVILEGED = ("nobody", "nogroup")
COMPOSE = Path(__file__).parents[1] / "deploy" / "compose.yaml"
LOCAL_VALUES = ("--host", "--port", "--backend-store-uri", "--artifacts-destination")  # set here, per test


def compose_server_options() -> list[str]:
    """The options the compose stack gives `mlflow server`: the tests run the server with the same ones, only
    their addresses made local."""
    import yaml

    return list(yaml.safe_load(COMPOSE.read_text())["services"]["mlflow"]["command"])


def server_command(database: str, artifacts: Path, port: int) -> list[str]:
    """`mlflow server` as the compose stack runs it, on this test's database, artifact folder and port."""
    local = {"--host": "127.0.0.1", "--port": str(port), "--backend-store-uri": database,
             "--artifacts-destination": str(artifacts)}  # fmt: skip
    options = []
    for option in compose_server_options():
        name = option.split("=", 1)[0]
        options.append(f"{name}={local[name]}" if name in local else option)
    return [sys.executable, "-m", "mlflow", "server", *options, "--workers", "1"]


@dataclass
class TrackingServer:
    uri: str  # http://127.0.0.1:PORT
    database: str  # postgresql://...
    artifacts: Path


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_user(command: list[str]) -> list[str]:
    """`command` as an unprivileged user when this process is root (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return command
    user, group = UNPRIVILEGED
    return ["setpriv", f"--reuid={user}", f"--regid={group}", "--clear-groups", *command]


@contextlib.contextmanager
def postgres_cluster() -> Iterator[str]:
    """A new PostgreSQL cluster in a temporary folder on a free loopback port, with a database `mlflow`; yields
    its URL. (The folder is made directly in the temporary directory: the unprivileged user cannot pass
    through pytest's private folders.)"""
    binaries = _postgres_bin()
    if binaries is None:
        missing = "no PostgreSQL server binaries (apt-get install postgresql)"
        if os.environ.get("UNETOPS_REQUIRE_POSTGRES"):
            pytest.fail(missing)
        pytest.skip(missing)
    folder = Path(tempfile.mkdtemp(prefix="unetops-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(folder, *UNPRIVILEGED)
    data, port = folder / "data", free_port()
    run = lambda *args: subprocess.run(_as_user([str(a) for a in args]), check=True, capture_output=True)  # noqa: E731
    run(binaries / "initdb", "-D", data, "-U", "unetops", "--auth=trust", "-E", "UTF8")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    run(binaries / "pg_ctl", "-D", data, "-l", folder / "postgres.log", "-w", "-o", options, "start")
    try:
        run(binaries / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "unetops", "mlflow")
        yield f"postgresql://unetops@127.0.0.1:{port}/mlflow"
    finally:
        run(binaries / "pg_ctl", "-D", data, "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def tracking_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TrackingServer]:
    """`mlflow server` on a PostgreSQL cluster, started with the compose stack's options (artifacts served by the
    server itself); MLFLOW_TRACKING_URI points at it (here and in the processes the test starts)."""
    with postgres_cluster() as database:
        port, artifacts = free_port(), tmp_path / "artifacts"
        log = (tmp_path / "mlflow.log").open("w")
        server = subprocess.Popen(
            server_command(database, artifacts, port), stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path
        )
        uri = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(f"{uri}/health", server, tmp_path / "mlflow.log")
            monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
            monkeypatch.chdir(tmp_path)
            yield TrackingServer(uri, database, artifacts)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
