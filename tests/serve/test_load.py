"""A bounded load test on loopback: 500 requests from 8 clients at once, every one answered."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from helpers import tile_png

REQUESTS = 500
CLIENTS = 8


def test_500_concurrent_requests_get_500_answers_and_no_error(served) -> None:
    images = [tile_png(64, seed=seed)[1] for seed in range(8)]

    def send(index: int) -> int:
        files = {"file": (f"tile{index}.png", images[index % len(images)])}
        return httpx.post(f"{served.url}/v1/segment", files=files, headers=served.auth, timeout=60).status_code

    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = list(pool.map(send, range(REQUESTS)))
    assert len(statuses) == REQUESTS and set(statuses) == {200}
    metrics = httpx.get(f"{served.url}/metrics").text
    assert 'unetops_http_requests_total{endpoint="/v1/segment",method="POST",status="200"}' in metrics
