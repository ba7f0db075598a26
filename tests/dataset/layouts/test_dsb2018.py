from __future__ import annotations

from pathlib import Path

from helpers import rgb_image, write_dsb_case, write_image
from unetops.dataset.layouts.dsb2018 import Dsb2018Layout


def test_one_item_per_case_with_all_nucleus_masks(tmp_path: Path) -> None:
    write_dsb_case(tmp_path, "abc123", 3)
    write_dsb_case(tmp_path, "def456", 2)
    assert Dsb2018Layout.detect(tmp_path)
    items = Dsb2018Layout().scan(tmp_path)
    assert [(i.key, len(i.masks), i.merge_instances) for i in items] == [("abc123", 3, True), ("def456", 2, True)]


def test_case_without_masks_folder(tmp_path: Path) -> None:
    write_dsb_case(tmp_path, "abc123", 1)
    write_image(tmp_path / "zzz" / "images" / "zzz.png", rgb_image(16))
    items = Dsb2018Layout().scan(tmp_path)
    assert items[-1].key == "zzz" and items[-1].masks == ()
