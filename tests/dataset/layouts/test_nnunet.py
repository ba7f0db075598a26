from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import write_pair
from unetops.dataset.layouts.nnunet import NnUNetLayout
from unetops.errors import SourceLayoutError


def make_raw(root: Path, ending: str = ".png") -> None:
    (root / "dataset.json").parent.mkdir(parents=True, exist_ok=True)
    (root / "dataset.json").write_text(json.dumps({"channel_names": {"0": "R"}, "file_ending": ending}))
    write_pair(root, f"imagesTr/case_001_0000{ending}", f"labelsTr/case_001{ending}")
    write_pair(root, f"imagesTr/case_002_0000{ending}", f"labelsTr/case_002{ending}", seed=1)


def test_cases_with_channel_suffix(tmp_path: Path) -> None:
    make_raw(tmp_path)
    assert NnUNetLayout.detect(tmp_path)
    items = NnUNetLayout().scan(tmp_path)
    assert [(i.key, i.images[0].name, i.masks[0].name, i.source_split) for i in items] == [
        ("case_001", "case_001_0000.png", "case_001.png", "train"),
        ("case_002", "case_002_0000.png", "case_002.png", "train"),
    ]


def test_several_channel_files_are_kept_together(tmp_path: Path) -> None:
    make_raw(tmp_path)
    write_pair(tmp_path, "imagesTr/case_001_0001.png", "labelsTr/case_001.png")
    item = NnUNetLayout().scan(tmp_path)[0]
    assert len(item.images) == 2


def test_bad_dataset_json(tmp_path: Path) -> None:
    make_raw(tmp_path)
    (tmp_path / "dataset.json").write_text("{}")
    with pytest.raises(SourceLayoutError, match="file_ending"):
        NnUNetLayout().scan(tmp_path)
