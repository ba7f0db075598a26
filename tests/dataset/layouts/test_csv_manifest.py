from __future__ import annotations

from pathlib import Path

from helpers import write_pair
from unetops.dataset.layouts.csv_manifest import CsvManifestLayout


def test_rows_with_groups_relative_to_the_csv(tmp_path: Path) -> None:
    write_pair(tmp_path, "img/a.png", "lbl/a.png")
    write_pair(tmp_path, "img/b.png", "lbl/b.png", seed=1)
    (tmp_path / "pairs.csv").write_text(
        "image,mask,group\nimg/a.png,lbl/a.png,patient1\nimg/b.png,lbl/b.png,patient2\n"
    )
    assert CsvManifestLayout.detect(tmp_path)
    assert CsvManifestLayout.detect(tmp_path / "pairs.csv")
    items = CsvManifestLayout().scan(tmp_path / "pairs.csv")
    assert [(i.key, i.group, i.images[0].name) for i in items] == [
        ("img/a", "patient1", "a.png"),
        ("img/b", "patient2", "b.png"),
    ]


def test_row_without_mask(tmp_path: Path) -> None:
    write_pair(tmp_path, "a.png", "a_m.png")
    (tmp_path / "list.csv").write_text("Image,Mask\na.png,\n")
    [item] = CsvManifestLayout().scan(tmp_path)
    assert item.masks == ()


def test_csv_without_columns_is_not_detected(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("name,value\n")
    assert not CsvManifestLayout.detect(tmp_path)
