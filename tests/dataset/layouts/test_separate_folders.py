from __future__ import annotations

from pathlib import Path

import pytest

from helpers import write_pair
from unetops.dataset.layouts.separate_folders import SeparateFoldersLayout


@pytest.mark.parametrize(
    ("images", "masks"), [("images", "masks"), ("imgs", "masks"), ("original", "mask"), ("x", "labels")]
)
def test_common_folder_names(tmp_path: Path, images: str, masks: str) -> None:
    write_pair(tmp_path, f"{images}/a.png", f"{masks}/a.png")
    assert SeparateFoldersLayout.detect(tmp_path)
    [item] = SeparateFoldersLayout().scan(tmp_path)
    assert item.key == "a" and item.masks[0].parent.name == masks


def test_paired_with_or_without_keyword(tmp_path: Path) -> None:
    write_pair(tmp_path, "images/a.png", "masks/a.png")
    write_pair(tmp_path, "images/b.jpg", "masks/b_mask.png", seed=1)
    items = SeparateFoldersLayout().scan(tmp_path)
    assert [(i.key, len(i.masks)) for i in items] == [("a", 1), ("b", 1)]


def test_two_masks_for_one_image(tmp_path: Path) -> None:
    write_pair(tmp_path, "images/a.png", "masks/a.png")
    write_pair(tmp_path, "images/a.png", "masks/a_mask.png")
    [item] = SeparateFoldersLayout().scan(tmp_path)
    assert len(item.masks) == 2


def test_nested_markers(tmp_path: Path) -> None:
    write_pair(tmp_path, "Ki-67/images/a.png", "Ki-67/masks/a_mask.png")
    write_pair(tmp_path, "PR/images/a.png", "PR/masks/a_mask.png", seed=1)
    items = SeparateFoldersLayout().scan(tmp_path)
    assert [(i.key, i.tag) for i in items] == [("Ki-67/a", "Ki-67"), ("PR/a", "PR")]


def test_split_folders_inside_image_folders(tmp_path: Path) -> None:
    write_pair(tmp_path, "images/train/a.png", "masks/train/a.png")
    write_pair(tmp_path, "images/val/b.png", "masks/val/b.png", seed=1)
    items = SeparateFoldersLayout().scan(tmp_path)
    assert [(i.key, i.source_split, i.tag) for i in items] == [("train/a", "train", None), ("val/b", "val", None)]


def test_not_detected_without_a_mask_folder(tmp_path: Path) -> None:
    write_pair(tmp_path, "images/a.png", "other/a.png")
    assert not SeparateFoldersLayout.detect(tmp_path)
