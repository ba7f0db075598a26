from __future__ import annotations

from pathlib import Path

from helpers import rgb_image, write_annotated, write_image, write_pair
from unetops.dataset.layouts import detect_layout
from unetops.dataset.layouts.geojson import GeoJsonLayout


def test_images_pair_with_their_annotation_files(tmp_path: Path) -> None:
    write_annotated(tmp_path, "a", [(1, 1, 4)])
    write_annotated(tmp_path / "Ki-67", "b", [(1, 1, 4)], suffix="_mask.geojson")
    write_image(tmp_path / "c.png", rgb_image(32))  # not annotated: reported by the check
    assert GeoJsonLayout.detect(tmp_path) and detect_layout(tmp_path).name == "geojson"
    items = GeoJsonLayout().scan(tmp_path)
    assert [(i.key, [p.name for p in i.images], [p.name for p in i.masks], i.tag) for i in items] == [
        ("Ki-67/b", ["b.png"], ["b_mask.geojson"], "Ki-67"),
        ("a", ["a.png"], ["a.geojson"], None),
        ("c", ["c.png"], [], None),
    ]


def test_a_folder_of_mask_images_is_not_taken_for_annotations(tmp_path: Path) -> None:
    write_pair(tmp_path, "a.png", "a_mask.png")
    assert not GeoJsonLayout.detect(tmp_path)
