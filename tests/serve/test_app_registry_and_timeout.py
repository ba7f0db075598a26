"""In-process checks of the app against a real MLflow registry, and of the inference timeout."""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from helpers import tile_png, tiny_train_config
from unetops.imageio import encode_image
from unetops.imageio.types import ImageType
from unetops.model.backends import load_model
from unetops.serve.app import create_app
from unetops.serve.settings import ServeSettings
from unetops.tracking import registry
from unetops.train.loop import train_model


def test_models_lists_registry_versions_aliases_and_metrics(tiny_dataset: Path, mlflow_home: Path) -> None:
    result = train_model(tiny_dataset, tiny_train_config(model_name="nuclei"), mlflow_home / "run", experiment="t")
    registry.promote("nuclei", "1", "production")
    reference = "models:/nuclei@production"
    model = load_model(reference)  # the ONNX file, downloaded from the registry
    assert model.path.name == "model.onnx"
    client = TestClient(create_app(ServeSettings(model=reference, auth=False), model))
    body = client.get("/v1/models").json()
    assert body["served"]["reference"] == reference
    assert body["served"]["dataset_version"] == model.metadata.dataset_version
    [listed] = body["registry"]["models"]
    assert body["registry"]["available"] and listed["name"] == "nuclei"
    assert listed["versions"][0]["aliases"] == ["production"]
    assert listed["versions"][0]["metrics"]["best_val_dice"] == result.best_dice


def test_a_service_on_an_alias_says_truly_which_version_it_serves(tiny_dataset: Path, mlflow_home: Path) -> None:
    for seed in (0, 1):
        config = tiny_train_config(model_name="moving", seed=seed)
        train_model(tiny_dataset, config, mlflow_home / f"r{seed}", experiment="t")
    registry.promote("moving", "1", "production")
    reference = "models:/moving@production"
    model = load_model(reference)  # version 1; then the alias moves before the service starts
    registry.promote("moving", "2", "production")
    served = TestClient(create_app(ServeSettings(model=reference, auth=False), model)).get("/v1/models").json()
    second = registry.resolve_model("models:/moving/2", "model.onnx")
    assert served["served"]["version"] == "2"
    assert served["served"]["sha256"] == hashlib.sha256(second.read_bytes()).hexdigest()


def test_an_inference_over_the_timeout_is_a_503(tiny_model: Path) -> None:
    model = load_model(tiny_model)

    def slow(batch):
        time.sleep(1.0)
        return model.logits(batch)

    settings = ServeSettings(model=str(tiny_model), auth=False, request_timeout_s=0.2)
    client = TestClient(create_app(settings, replace(model, logits=slow)))
    _, data = tile_png(64)
    started = time.perf_counter()
    response = client.post("/v1/segment", files={"file": ("t.png", data)})
    assert response.status_code == 503 and response.json()["title"] == "Timed out"
    assert time.perf_counter() - started < 0.9


def test_a_timed_out_inference_stops_and_frees_its_slot(tiny_model: Path) -> None:
    model = load_model(tiny_model)
    calls: list[float] = []

    def slow(batch):
        calls.append(time.monotonic())
        time.sleep(0.1)
        return model.logits(batch)

    settings = ServeSettings(model=str(tiny_model), auth=False, request_timeout_s=1.0, max_concurrent=1)
    client = TestClient(create_app(settings, replace(model, logits=slow)))
    big = encode_image(np.full((640, 640, 3), 200, np.uint8), ImageType.png)  # hundreds of window batches
    assert client.post("/v1/segment", files={"file": ("big.png", big)}).status_code == 503
    seen = len(calls)
    time.sleep(0.5)
    assert len(calls) <= seen + 1  # at most the batch in flight finishes: the rest is never computed
    _, small = tile_png(32)
    assert client.post("/v1/segment", files={"file": ("small.png", small)}).status_code == 200  # the slot is free
    metrics = client.get("/metrics").text
    assert 'unetops_inference_cancelled_total{reason="timeout"} 1.0' in metrics
    assert 'unetops_inference_duration_seconds_count{endpoint="/v1/segment"} 1.0' in metrics  # only the small one
