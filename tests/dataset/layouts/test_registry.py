from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import write_pair
from unetops.dataset.layouts import LAYOUTS, detect_layout, scan_source
from unetops.errors import SourceLayoutError


def test_detection_order(tmp_path: Path) -> None:
    nnunet = tmp_path / "nn"
    (nnunet / "imagesTr").mkdir(parents=True)
    (nnunet / "dataset.json").write_text(json.dumps({"file_ending": ".png"}))
    write_pair(tmp_path / "dsb", "c1/images/c1.png", "c1/masks/n1.png")
    write_pair(tmp_path / "sep", "images/a.png", "masks/a.png")
    write_pair(tmp_path / "one", "a.png", "a_mask.png")
    write_pair(tmp_path / "csv", "a.png", "a_mask.png")
    (tmp_path / "csv" / "pairs.csv").write_text("image,mask\na.png,a_mask.png\n")
    found = {name: detect_layout(tmp_path / name).name for name in ("nn", "dsb", "sep", "one", "csv")}
    assert found == {"nn": "nnunet", "dsb": "dsb2018", "sep": "separate", "one": "one-folder", "csv": "csv"}


def test_unknown_layout_lists_the_known_ones(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(SourceLayoutError) as caught:
        detect_layout(tmp_path)
    for name in LAYOUTS:
        assert name in str(caught.value)


def test_forcing_a_layout(tmp_path: Path) -> None:
    write_pair(tmp_path, "images/a.png", "masks/a_mask.png")
    name, items = scan_source(tmp_path, layout="one-folder")
    assert name == "one-folder" and [i.key for i in items] == ["images/a", "masks/a"]


def test_missing_source_and_bad_layout_name(tmp_path: Path) -> None:
    with pytest.raises(SourceLayoutError, match="source not found"):
        scan_source(tmp_path / "none")
    with pytest.raises(SourceLayoutError, match="unknown layout"):
        scan_source(tmp_path, layout="zip")
