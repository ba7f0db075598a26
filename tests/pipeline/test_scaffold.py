from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from unetops.errors import UnetopsError
from unetops.pipeline.scaffold import scaffold_project
from unetops.spec import load_spec


def test_sample_project(tmp_path: Path) -> None:
    scaffold_project(tmp_path)
    stages = yaml.safe_load((tmp_path / "dvc.yaml").read_text())["stages"]
    assert list(stages) == ["sample", "slide", "check", "build", "train", "evaluate", "slide_quantify"]
    assert stages["evaluate"]["metrics"] == [{"reports/evaluation/summary.json": {"cache": False}}]
    assert stages["train"]["params"] == ["train"] and stages["train"]["metrics"] == [
        {"reports/train.json": {"cache": False}}
    ]
    assert stages["build"]["deps"] == ["data/sample/source", "spec.json"]
    params = yaml.safe_load((tmp_path / "params.yaml").read_text())
    assert set(params) == {"sample", "slide", "train"}
    assert load_spec(tmp_path / "spec.json").group_pattern == r"(slide\d+)"
    with pytest.raises(UnetopsError, match="project files exist"):
        scaffold_project(tmp_path)


def test_project_on_a_labs_own_source(tmp_path: Path) -> None:
    (tmp_path / "scans").mkdir()
    scaffold_project(tmp_path / "p", source=tmp_path / "scans")
    stages = yaml.safe_load((tmp_path / "p" / "dvc.yaml").read_text())["stages"]
    assert "sample" not in stages and str(tmp_path / "scans") in stages["build"]["cmd"]
    assert "sample" not in yaml.safe_load((tmp_path / "p" / "params.yaml").read_text())
    assert json.loads((tmp_path / "p" / "spec.json").read_text())["width"] == 256


def test_the_demo_tests_on_at_least_ten_images_from_several_slides(tmp_path: Path) -> None:
    """The demo's verdict must rest on more than a handful of test tiles from one slide."""
    from unetops.dataset.build import build_dataset
    from unetops.sample import write_sample

    scaffold_project(tmp_path / "demo")
    params = yaml.safe_load((tmp_path / "demo" / "params.yaml").read_text())["sample"]
    spec = load_spec(tmp_path / "demo" / "spec.json").model_copy(update={"width": 32, "height": 32})  # split only
    sample = write_sample(tmp_path / "sample", tiles=params["tiles"], seed=params["seed"], nuclei=5)
    manifest = build_dataset(sample.source, spec, tmp_path / "dataset", workers=1)
    for split in ("val", "test"):
        items = [item for item in manifest.items if item.split == split]
        assert len(items) >= 10 and len({item.group for item in items}) >= 2, split
