"""A service on `models:/NAME@production` follows the alias on a real tracking server (mlflow server on
PostgreSQL): no failed request while it switches, and a broken version never takes over."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from helpers import tile_png, tiny_train_config
from serve.conftest import Served, serving
from team_server import TrackingServer
from unetops.tracking.registry import promote
from unetops.train.loop import train_model


def served_version(server: Served) -> str | None:
    return httpx.get(f"{server.url}/v1/models", headers=server.auth, timeout=30).json()["served"]["version"]


def register_broken_version(name: str) -> str:
    """A version whose model.onnx is not a model (a bad upload, say)."""
    from unetops.tracking.store import existing_client

    client = existing_client()
    experiment = client.get_experiment_by_name("unetops").experiment_id
    run = client.create_run(experiment)
    client.log_text(run.info.run_id, "not an ONNX model", "model/model.onnx")
    client.set_terminated(run.info.run_id)
    return str(client.create_model_version(name, f"{run.info.artifact_uri}/model", run_id=run.info.run_id).version)


def test_the_service_follows_the_alias_without_a_failed_request(
    tracking_server: TrackingServer, tiny_dataset: Path, tmp_path: Path, browser
) -> None:
    for seed in (0, 1):
        config = tiny_train_config(seed=seed, model_name="follow")
        train_model(tiny_dataset, config, tmp_path / f"run{seed}", experiment="unetops")
    promote("follow", "1", "production")
    _, image = tile_png(64, seed=5)
    options = ("--follow-interval", "1")
    with serving("models:/follow@production", tmp_path, *options, registry=True) as server:
        assert served_version(server) == "1"
        statuses: list[int] = []
        done = threading.Event()

        def ask() -> None:
            while not done.is_set():
                answer = httpx.post(f"{server.url}/v1/segment", files={"file": ("t.png", image)}, headers=server.auth,
                                    timeout=60)  # fmt: skip
                statuses.append(answer.status_code)

        askers = [threading.Thread(target=ask) for _ in range(2)]
        for asker in askers:
            asker.start()
        time.sleep(1)
        promote("follow", "2", "production")
        deadline = time.monotonic() + 60
        while served_version(server) != "2" and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)  # requests go on after the switch too
        done.set()
        for asker in askers:
            asker.join()
        assert served_version(server) == "2"
        assert len(statuses) > 5 and set(statuses) == {200}, statuses

        broken = register_broken_version("follow")
        promote("follow", broken, "production")
        reload = httpx.post(f"{server.url}/v1/models/reload", headers=server.auth, timeout=120).json()
        assert reload["follows"]["failed_version"] == broken and f"version {broken}" in reload["follows"]["error"]
        assert reload["served"]["version"] == "2" and served_version(server) == "2"
        answer = httpx.post(f"{server.url}/v1/segment", files={"file": ("t.png", image)}, headers=server.auth)
        assert answer.status_code == 200  # the old version still answers
        metrics = httpx.get(f"{server.url}/metrics").text
        assert 'unetops_model_reloads_total{outcome="failed"}' in metrics
        assert 'unetops_model_reloads_total{outcome="loaded"} 1.0' in metrics
        assert "model reload failed" in server.log.read_text()

        tab = browser.new_page()  # the models page says what serves, what it follows and what went wrong
        tab.goto(f"{server.url}/ui/models.html")
        tab.fill("#token-input", server.token)
        tab.click("#token-save")
        tab.wait_for_selector("#served tbody tr")
        shown = tab.text_content("#served")
        assert "registry version2" in shown and "serving since" in shown and "followsmodels:/follow@production" in shown
        assert f"last reload failedversion {broken} cannot be served" in shown
        tab.close()


def test_a_model_given_by_path_has_nothing_to_reload(served: Served) -> None:
    answer = httpx.post(f"{served.url}/v1/models/reload", headers=served.auth)
    assert answer.status_code == 409 and "not a registry alias" in answer.json()["detail"]
    models = httpx.get(f"{served.url}/v1/models", headers=served.auth).json()
    assert models["follows"] is None and models["served"]["version"] is None and models["served"]["since"]
