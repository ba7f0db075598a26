from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from unetops.errors import DatasetError
from unetops.evaluation.report import write_evaluation
from unetops.evaluation.run import METRICS, bootstrap_interval, evaluate_model
from unetops.model.backends import Backend, load_model
from unetops.spec.manifest import read_manifest


def test_evaluation_outputs_name_every_image(tiny_model: Path, tiny_dataset: Path, tmp_path: Path) -> None:
    model = load_model(tiny_model, Backend.onnx)
    results, summary = evaluate_model(model, tiny_dataset, split="val")
    paths = write_evaluation(results, summary, tmp_path)
    names = [i.name for i in read_manifest(tiny_dataset).items if i.split == "val"]
    html = paths["report"].read_text()
    assert all(name in html for name in names) and html.count("<section>") == len(names)
    assert "data:image/png;base64," in html and "http" not in html.replace("http-equiv", "")
    rows = list(csv.DictReader(paths["per_image"].open()))
    assert [r["image"] for r in rows] == names and set(METRICS) <= set(rows[0])
    data = json.loads(paths["summary"].read_text())
    dice = data["metrics"]["dice"]
    assert data["images"] == len(names) and dice["ci95_low"] <= dice["mean"] <= dice["ci95_high"]


def test_worst_images_come_first(tiny_model: Path, tiny_dataset: Path, tmp_path: Path) -> None:
    results, summary = evaluate_model(load_model(tiny_model, Backend.onnx), tiny_dataset, split="val")
    html = write_evaluation(results, summary, tmp_path)["report"].read_text()
    ordered = sorted(results, key=lambda r: r.metrics["dice"])
    positions = [html.index(f"<h3>{r.name}</h3>") for r in ordered]
    assert positions == sorted(positions)


def test_missing_split(tiny_model: Path, tiny_dataset: Path) -> None:
    with pytest.raises(DatasetError, match="no 'holdout' images"):
        evaluate_model(load_model(tiny_model, Backend.onnx), tiny_dataset, split="holdout")


def test_bootstrap_interval() -> None:
    low, high = bootstrap_interval([0.5] * 10)
    assert low == high == 0.5
    low, high = bootstrap_interval([0.0, 1.0] * 20)
    assert 0.3 < low < 0.5 < high < 0.7
    assert all(math.isnan(v) for v in bootstrap_interval([math.nan]))
