from __future__ import annotations

import csv
import json
import math
from html import escape as html_escape
from pathlib import Path

import pytest

from unetops.errors import DatasetError
from unetops.evaluation.definitions import METRIC_INFO, MIN_IMAGES_FOR_INTERVALS, small_sample_note
from unetops.evaluation.report import write_evaluation
from unetops.evaluation.run import METRICS, bootstrap_interval, evaluate_model, evaluate_splits
from unetops.model.backends import Backend, load_model
from unetops.spec.manifest import read_manifest


def test_evaluation_outputs_name_every_image(tiny_model: Path, tiny_dataset: Path, tmp_path: Path) -> None:
    model = load_model(tiny_model, Backend.onnx)
    evaluations = evaluate_splits(model, tiny_dataset, ["val", "test"])
    paths = write_evaluation(evaluations, tmp_path)
    items = read_manifest(tiny_dataset).items
    names = {split: [i.name for i in items if i.split == split] for split in ("val", "test")}
    html = paths["report"].read_text()
    every = names["val"] + names["test"]
    assert all(name in html for name in every) and html.count("<section>") == len(every)
    assert "data:image/png;base64," in html and "http" not in html.replace("http-equiv", "")
    rows = list(csv.DictReader(paths["per_image"].open()))
    assert [(r["split"], r["image"]) for r in rows] == [(s, n) for s in ("val", "test") for n in names[s]]
    assert set(METRICS) <= set(rows[0])
    data = json.loads(paths["summary"].read_text())
    for split in ("val", "test"):
        dice = data["splits"][split]["metrics"]["dice"]
        assert data["splits"][split]["images"] == len(names[split])
        assert dice["ci95_low"] <= dice["mean"] <= dice["ci95_high"]


def test_the_report_defines_every_metric_and_flags_small_samples(
    tiny_model: Path, tiny_dataset: Path, tmp_path: Path
) -> None:
    evaluations = evaluate_splits(load_model(tiny_model, Backend.onnx), tiny_dataset, ["val", "test"])
    html = write_evaluation(evaluations, tmp_path)["report"].read_text()
    assert "<th>val mean</th>" in html and "<th>test mean</th>" in html  # side by side
    for name in METRICS:
        info = METRIC_INFO[name]
        row = html[html.index(f"<tr><td>{name}</td>") :].split("</tr>")[0]
        assert html_escape(info.definition) in row and f"<td>{info.unit}</td>" in row
    assert "<td>higher</td>" in html and "<td>lower</td>" in html
    images = evaluations[0][1]["images"]
    assert images < MIN_IMAGES_FOR_INTERVALS and f"only {images} images" in html
    assert small_sample_note(MIN_IMAGES_FOR_INTERVALS) is None


def test_no_split_with_images(tiny_model: Path, tiny_dataset: Path) -> None:
    with pytest.raises(DatasetError, match="no images in 'holdout'"):
        evaluate_splits(load_model(tiny_model, Backend.onnx), tiny_dataset, ["holdout"])


def test_worst_images_come_first(tiny_model: Path, tiny_dataset: Path, tmp_path: Path) -> None:
    results, summary = evaluate_model(load_model(tiny_model, Backend.onnx), tiny_dataset, split="val")
    html = write_evaluation([(results, summary)], tmp_path)["report"].read_text()
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
