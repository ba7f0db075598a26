from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from unetops.errors import SpecError
from unetops.preprocess import Gamma
from unetops.preprocess.preview import load_ops, preview_grid


def test_grid_has_a_row_per_image_with_before_and_after() -> None:
    images = [np.full((50, 100, 3), 100, np.uint8), np.full((64, 64), 200, np.uint8)]
    grid = preview_grid(images, (Gamma(gamma=2.0),), height=32)
    assert grid.shape[0] == 2 * (32 + 8) and grid.shape[2] == 3
    assert grid[0, 0, 0] == 100 and grid[0, 64 + 8, 0] == 39  # 255 * (100/255)^2


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
