from __future__ import annotations

import json
from pathlib import Path

import pytest

from unetops.errors import SpecError
from unetops.spec import DatasetSpec, load_spec, spec_problems


def test_round_trip(tmp_path: Path) -> None:
    spec = DatasetSpec(width=256, height=128, group_pattern=r"(slide\d+)")
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec.model_dump(mode="json")))
    assert load_spec(path) == spec


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="spec file not found") as caught:
        load_spec(tmp_path / "none.json")
    assert "none.json" in str(caught.value)


def test_json_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "width": 256,\n  "height": }')
    with pytest.raises(SpecError, match="line 3"):
        load_spec(path)


def test_explains_every_problem() -> None:
    spec, problems = spec_problems({"width": -1, "image_type": "gif", "seed": "x"})
    assert spec is None
    assert len(problems) == 3
    assert any(p.startswith("image_type:") and "'gif'" in p for p in problems)


def test_non_object_json() -> None:
    assert spec_problems([1, 2])[1] == ["spec: expected a JSON object, got list"]
