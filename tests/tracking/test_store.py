from __future__ import annotations

import getpass
import http.server
import socket
import threading
from pathlib import Path

import pytest

from helpers import tiny_train_config
from unetops.errors import ModelError, UnetopsError
from unetops.model.checkpoint import load_checkpoint
from unetops.tracking import registry
from unetops.tracking.store import check_answers, client, flatten, tracking_uri
from unetops.train.loop import EpochReport, train_model


def test_default_store_is_local_sqlite(mlflow_home: Path) -> None:
    assert tracking_uri() == f"sqlite:///{mlflow_home / 'mlflow.db'}"


def test_environment_points_at_another_store(mlflow_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{mlflow_home / 'shared.db'}")
    assert tracking_uri().endswith("shared.db")


def test_flatten() -> None:
    assert flatten({"a": 1, "b": {"c": True}}) == {"a": "1", "b.c": "True"}


def test_a_tracked_run_logs_registers_and_resolves(tiny_dataset: Path, mlflow_home: Path) -> None:
    result = train_model(tiny_dataset, tiny_train_config(model_name="nuclei"), mlflow_home / "run", experiment="tests")
    assert (mlflow_home / "mlflow.db").is_file() and result.model_version == "1"
    run = client().get_run(result.run_id)
    assert run.info.status == "FINISHED"
    assert run.data.params["epochs"] == "2" and run.data.params["patch_size_used"] == "32"
    assert run.data.tags["dataset_version"].startswith("ds-")
    assert run.data.tags["mlflow.user"] == getpass.getuser()  # who trained it, as MLflow's own runs say
    assert len(client().get_metric_history(result.run_id, "val_dice")) == 2
    artifacts = {a.path for a in client().list_artifacts(result.run_id, "model")}
    assert {"model/model.pt", "model/model.onnx", "model/metadata.json"} <= artifacts
    assert {a.path for a in client().list_artifacts(result.run_id, "overlays")}

    registry.promote("nuclei", "1", "production")
    shown = registry.show_model("nuclei")
    assert shown["versions"][0]["aliases"] == ["production"]
    assert shown["versions"][0]["user"] == getpass.getuser()
    assert shown["versions"][0]["metrics"]["best_val_dice"] == pytest.approx(result.best_dice)
    path = registry.resolve_model("models:/nuclei@production")
    assert load_checkpoint(path)[1].dataset_version == run.data.tags["dataset_version"]
    assert registry.resolve_model("models:/nuclei/1").read_bytes() == path.read_bytes()
    assert [m["name"] for m in registry.list_models()] == ["nuclei"]


def test_a_registry_model_is_downloaded_once(
    tiny_dataset: Path, mlflow_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNETOPS_CACHE_DIR", str(mlflow_home / "cache"))
    train_model(tiny_dataset, tiny_train_config(model_name="cached"), mlflow_home / "run", experiment="tests")
    onnx = registry.resolve_model("models:/cached/1", "model.onnx")
    assert onnx.is_relative_to(mlflow_home / "cache") and onnx.name == "model.onnx"
    for stored in (mlflow_home / "mlartifacts").rglob("model.onnx"):
        stored.unlink()  # from now on only the cache has it
    assert registry.resolve_model("models:/cached/1", "model.onnx") == onnx
    assert not list((mlflow_home / "cache").rglob(".download-*"))
    monkeypatch.setenv("UNETOPS_CACHE_DIR", str(mlflow_home / "empty"))
    with pytest.raises(ModelError, match=r"cannot download model\.onnx of models:/cached/1 from sqlite:///"):
        registry.resolve_model("models:/cached/1", "model.onnx")  # a new cache downloads: from the store, gone


def test_resumed_training_continues_the_same_run(tiny_dataset: Path, mlflow_home: Path) -> None:
    def interrupt(report: EpochReport) -> None:
        if report.epoch == 1:
            raise KeyboardInterrupt

    config = tiny_train_config(register_model=False)
    with pytest.raises(KeyboardInterrupt):
        train_model(tiny_dataset, config, mlflow_home / "run", experiment="tests", on_epoch_end=interrupt)
    result = train_model(tiny_dataset, config, mlflow_home / "run", resume=True, experiment="tests")
    runs = client().search_runs([client().get_experiment_by_name("tests").experiment_id])
    assert [r.info.run_id for r in runs] == [result.run_id]
    assert [m.step for m in client().get_metric_history(result.run_id, "val_dice")] == [1, 2]
    assert result.model_version is None


def test_a_server_is_asked_once_whether_it_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as listener:  # a port that refuses connections once closed
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
    with pytest.raises(UnetopsError, match=rf"tracking server at http://127.0.0.1:{port} does not answer \(Conn"):
        check_answers(f"http://127.0.0.1:{port}")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    with server:  # any HTTP answer (here 501) means the server is there; MLflow's own errors come later
        threading.Thread(target=server.serve_forever, daemon=True).start()
        check_answers(f"http://127.0.0.1:{server.server_port}")
        server.shutdown()
    check_answers(f"http://127.0.0.1:{server.server_port}")  # asked once per process: not again
    check_answers("sqlite:///nowhere/mlflow.db")  # a local store is not a server
