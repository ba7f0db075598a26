from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from unetops.errors import SpecError
from unetops.preprocess import Gamma
from unetops.preprocess.preview import LABEL_HEIGHT, load_ops, parse_ops, preview_grid


def test_grid_has_a_row_per_image_with_before_and_after() -> None:
    images = [np.full((50, 100, 3), 100, np.uint8), np.full((64, 64), 200, np.uint8)]
    grid = preview_grid(images, (Gamma(gamma=2.0),), height=32)
    assert grid.shape[0] == LABEL_HEIGHT + 2 * (32 + 8) and grid.shape[2] == 3
    body = grid[LABEL_HEIGHT:]
    assert body[0, 0, 0] == 100 and body[0, 64 + 8, 0] == 39  # 255 * (100/255)^2


def test_the_grid_labels_its_columns() -> None:
    image = np.full((32, 64, 3), 100, np.uint8)
    header = preview_grid([image], (Gamma(gamma=2.0),), height=32)[:LABEL_HEIGHT]
    ink = np.nonzero((header < 128).any(axis=(0, 2)))[0]
    assert ink.min() < 64 and ink.max() > 64 + 8  # "before" over the left column, "after: gamma" over the right
    assert ((header < 128).any(axis=(0, 2))[60:76] == 0).all()  # the gap between the columns stays clear


@pytest.mark.parametrize("form", ["list.json", "spec.json", "ops.yaml"])
def test_load_ops_from_list_spec_or_yaml(tmp_path: Path, form: str) -> None:
    ops = [{"op": "clahe", "clip_limit": 3.0}, {"op": "gamma", "gamma": 0.8}]
    path = tmp_path / form
    data = {"preprocess": ops} if form == "spec.json" else ops
    path.write_text(yaml.safe_dump(data) if form.endswith("yaml") else json.dumps(data))
    assert [op.op for op in load_ops(path)] == ["clahe", "gamma"]


def test_load_ops_explains_bad_operations(tmp_path: Path) -> None:
    (tmp_path / "ops.json").write_text(json.dumps([{"op": "gamma", "gamma": -1}]))
    with pytest.raises(SpecError, match="gamma"):
        load_ops(tmp_path / "ops.json")


def test_parse_ops_from_names_a_single_op_file_or_a_spec(tmp_path: Path) -> None:
    assert [op.op for op in parse_ops("clahe, equalize")] == ["clahe", "equalize"]
    (tmp_path / "macenko.json").write_text(
        json.dumps({"op": "macenko", "target_stains": [[0.6, 0.7, 0.3], [0.1, 0.9, 0.3]], "target_max": [1.5, 1.0]})
    )
    assert [op.op for op in parse_ops(str(tmp_path / "macenko.json"))] == ["macenko"]
    (tmp_path / "spec.json").write_text(json.dumps({"width": 256, "height": 256}))
    with pytest.raises(SpecError, match="no preprocessing operation"):
        parse_ops(str(tmp_path / "spec.json"))
    with pytest.raises(SpecError, match="unknown preprocessing operation"):
        parse_ops("clahe,grayscale")
    with pytest.raises(SpecError, match="macenko needs fitted values"):
        parse_ops("macenko")
    with pytest.raises(SpecError, match="file not found"):
        parse_ops(str(tmp_path / "missing.yaml"))
