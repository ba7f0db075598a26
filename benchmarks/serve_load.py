"""Bounded loopback load on `POST /v1/segment`: throughput, latency percentiles and errors.

Starts `unetops serve` with the default U-Net (random weights: speed does not depend on them) and sends
`--requests` 512 x 512 PNG tiles with `--concurrency` requests in flight. Goal: zero errors.

    python benchmarks/serve_load.py --requests 500 --concurrency 8
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from predict_throughput import TILE, make_model

from unetops.imageio import encode_image
from unetops.sample import synthetic_ihc_tile
from unetops.spec.model import ImageType

TOKEN = "benchmark-token-0123456789"


def start_server(model: Path, port: int, workdir: Path) -> subprocess.Popen:
    env = {**os.environ, "UNETOPS_API_TOKENS": TOKEN}
    command = [sys.executable, "-m", "unetops", "serve", "--model", str(model), "--port", str(port)]
    server = subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("unetops serve did not become ready")


async def load(url: str, payloads: list[bytes], requests: int, concurrency: int) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(requests):
        queue.put_nowait(index)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while not queue.empty():
            index = queue.get_nowait()
            start = time.perf_counter()
            try:
                files = {"file": (f"tile{index}.png", payloads[index % len(payloads)], "image/png")}
                response = await client.post(f"{url}/v1/segment", files=files)
                errors += response.status_code != 200
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - start)

    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(headers=headers, timeout=300) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        return latencies, errors, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    payloads = [encode_image(synthetic_ihc_tile(rng, height=TILE, width=TILE).image, ImageType.png) for _ in range(8)]
    with tempfile.TemporaryDirectory() as tmp, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        server = start_server(make_model(Path(tmp)), port, Path(tmp))
        try:
            latencies, errors, seconds = asyncio.run(
                load(f"http://127.0.0.1:{port}", payloads, args.requests, args.concurrency)
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    p50, p95, p99 = np.percentile(latencies, [50, 95, 99])
    print(f"POST /v1/segment, {TILE}x{TILE} PNG, default U-Net, {os.cpu_count()} CPU cores, loopback")
    print(f"requests {args.requests}, concurrency {args.concurrency}, wall {seconds:.1f} s")
    print(f"throughput {args.requests / seconds:.2f} requests/s")
    print(f"latency p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
    print(f"errors {errors} (goal 0)")


if __name__ == "__main__":
    main()
