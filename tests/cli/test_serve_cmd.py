from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from helpers import free_port


def test_a_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "unetops", "serve", "--model", str(tmp_path / "nothing")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "error:" in done.stderr and "nothing" in done.stderr and "Traceback" not in done.stderr


def test_without_a_configured_token_it_generates_one(tiny_model: Path, tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("UNETOPS_API_TOKENS", "UNETOPS_API_TOKENS_FILE")}
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "unetops", "serve", "--model", str(tiny_model), "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(300):
            match = re.search(r"this run accepts: (\S+)", log.read_text())
            if match:
                break
            time.sleep(0.1)
        assert match, log.read_text()
        url = f"http://127.0.0.1:{port}/v1/models"
        for _ in range(300):
            try:
                response = httpx.get(url, headers={"Authorization": f"Bearer {match[1]}"})
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response.status_code == 200
        assert httpx.get(url).status_code == 401
        plain = [line for line in log.read_text().splitlines() if not line.startswith("{")]
        assert any(
            f"web UI http://127.0.0.1:{port}/ui/" in line and "Authorization: Bearer <token>" in line for line in plain
        ), plain
    finally:
        process.terminate()
        process.wait(timeout=30)
