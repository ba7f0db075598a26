from __future__ import annotations

from pathlib import Path

from helpers import write_pair
from unetops.dataset.layouts.one_folder import OneFolderLayout


def test_pairs_by_keyword_with_any_extension_on_either_side(tmp_path: Path) -> None:
    write_pair(tmp_path, "a.jpg", "a_mask.png")
    write_pair(tmp_path, "b.tif", "b_mask.bmp", seed=1)
    assert OneFolderLayout.detect(tmp_path)
    items = OneFolderLayout().scan(tmp_path)
    assert [(i.key, [p.name for p in i.images], [p.name for p in i.masks]) for i in items] == [
        ("a", ["a.jpg"], ["a_mask.png"]),
        ("b", ["b.tif"], ["b_mask.bmp"]),
    ]


def test_custom_keyword(tmp_path: Path) -> None:
    write_pair(tmp_path, "x.png", "x-annot.png")
    items = OneFolderLayout("-annot").scan(tmp_path)
    assert len(items) == 1 and items[0].masks[0].name == "x-annot.png"


def test_nested_marker_folders_become_tags_and_split_folders_splits(tmp_path: Path) -> None:
    write_pair(tmp_path, "Ki-67/train/a.png", "Ki-67/train/a_mask.png")
    write_pair(tmp_path, "ER/test/a.png", "ER/test/a_mask.png", seed=1)
    items = {i.key: i for i in OneFolderLayout().scan(tmp_path)}
    assert set(items) == {"Ki-67/train/a", "ER/test/a"}
    assert (items["Ki-67/train/a"].tag, items["Ki-67/train/a"].source_split) == ("Ki-67", "train")
    assert (items["ER/test/a"].tag, items["ER/test/a"].source_split) == ("ER", "test")


def test_orphans_are_items_too(tmp_path: Path) -> None:
    write_pair(tmp_path, "a.png", "a_mask.png")
    (tmp_path / "a_mask.png").rename(tmp_path / "b_mask.png")
    items = OneFolderLayout().scan(tmp_path)
    assert [(i.key, len(i.images), len(i.masks)) for i in items] == [("a", 1, 0), ("b", 0, 1)]


def test_hidden_files_are_ignored(tmp_path: Path) -> None:
    write_pair(tmp_path, "a.png", "a_mask.png")
    write_pair(tmp_path, ".cache/b.png", ".cache/b_mask.png")
    assert [i.key for i in OneFolderLayout().scan(tmp_path)] == ["a"]
