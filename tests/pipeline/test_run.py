from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import TINY_TRAIN
from unetops.pipeline.run import PipelineError, load_stages, run_pipeline
from unetops.pipeline.scaffold import default_params, scaffold_project
from unetops.spec import DatasetSpec

TINY_PARAMS = {
    "sample": {"tiles": 14, "seed": 0},
    "slide": {"width": 1024, "height": 768, "seed": 0},
    "train": {**TINY_TRAIN, "model_name": "tiny"},
}


def tiny_project(folder: Path) -> Path:
    spec = DatasetSpec(width=64, height=64, group_pattern=r"(slide\d+)")
    scaffold_project(folder, spec=spec, params=TINY_PARAMS)
    return folder


def write_project(folder: Path, stages: dict, params: dict | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dvc.yaml").write_text(yaml.safe_dump({"stages": stages}, sort_keys=False))
    (folder / "params.yaml").write_text(yaml.safe_dump(params or {}))


def test_placeholders_come_from_params(tmp_path: Path) -> None:
    write_project(tmp_path, {"a": {"cmd": "echo ${x.y} ${z}"}}, {"x": {"y": 3}, "z": "w"})
    assert load_stages(tmp_path)["a"]["cmd"] == "echo 3 w"
    write_project(tmp_path, {"a": {"cmd": "echo ${missing}"}})
    with pytest.raises(PipelineError, match="missing"):
        load_stages(tmp_path)


def test_outputs_are_replaced_and_failures_name_the_stage(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "stale.txt").write_text("x")
    write_project(
        tmp_path,
        {"make": {"cmd": f"{sys.executable} -c \"open('old.txt','w')\"", "outs": ["old"]}, "fail": {"cmd": "false"}},
    )
    with pytest.raises(PipelineError, match="stage 'fail' failed"):
        run_pipeline(tmp_path, echo=lambda _: None)
    assert not (tmp_path / "old").exists() and (tmp_path / "old.txt").exists()
    assert run_pipeline(tmp_path, stages=["make"], echo=lambda _: None) == ["make"]
    with pytest.raises(PipelineError, match="unknown stages nope"):
        run_pipeline(tmp_path, stages=["nope"])


def test_no_pipeline(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match=r"no dvc\.yaml"):
        load_stages(tmp_path)


def test_the_scaffolded_pipeline_runs_end_to_end_without_dvc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    project = tiny_project(tmp_path / "project")
    stages = ["sample", "slide", "check", "build", "train", "evaluate", "slide_quantify"]
    assert run_pipeline(project, echo=lambda _: None) == stages
    metrics = json.loads((project / "reports" / "train.json").read_text())
    assert metrics["epochs_run"] == 2 and metrics["model_version"] == "1" and 0 <= metrics["val_dice"] <= 1
    assert json.loads((project / "reports" / "check.json").read_text())["layout"] == "separate"
    assert (project / "data" / "dataset" / "dataset.json").is_file() and (project / "mlflow.db").is_file()
    assert (project / "runs" / "train" / "model" / "model.onnx").is_file()
    summary = json.loads((project / "reports" / "evaluation" / "summary.json").read_text())
    assert set(summary["splits"]) <= {"val", "test"} and "dice" in summary["splits"]["test"]["metrics"]
    slide = json.loads((project / "reports" / "slides" / "synthetic" / "summary.json").read_text())
    assert (
        slide["tiles"]["analysed"] > 0 and (project / "reports" / "slides" / "synthetic" / "hotspot.geojson").is_file()
    )


def test_default_params_train_within_minutes() -> None:
    assert default_params()["train"]["time_budget"] == "5m"


@pytest.mark.skipif(shutil.which("git") is None, reason="dvc needs git")
def test_dvc_repro_reruns_only_what_changed(tmp_path: Path) -> None:
    dvc = Path(sys.executable).with_name("dvc")
    project = tiny_project(tmp_path / "project")
    env = {
        **os.environ,
        "DVC_NO_ANALYTICS": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    env.pop("MLFLOW_TRACKING_URI", None)

    def run(*args: str) -> str:
        result = subprocess.run(args, cwd=project, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    run("git", "init", "-q")
    run(str(dvc), "init", "-q")
    first = run(str(dvc), "repro")
    assert all(f"Running stage '{s}'" in first for s in ("sample", "check", "build", "train", "evaluate"))
    assert "Running stage" not in run(str(dvc), "repro")
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["train"]["epochs"] = 3
    (project / "params.yaml").write_text(yaml.safe_dump(params))
    third = run(str(dvc), "repro")
    assert (
        "Running stage 'train'" in third
        and "Running stage 'evaluate'" in third
        and "Running stage 'build'" not in third
    )
    shown = run(str(dvc), "metrics", "show")
    assert "val_dice" in shown and "reports/train.json" in shown and "reports/evaluation/summary.json" in shown
