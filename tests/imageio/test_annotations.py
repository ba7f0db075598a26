from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from unetops.errors import ImageReadError
from unetops.imageio.annotations import draw_instances, read_polygons


def square(x: float, y: float, side: float) -> list[list[float]]:
    return [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]


def write_features(path: Path, *geometries: dict) -> Path:
    features = [{"type": "Feature", "geometry": g, "properties": {"objectType": "annotation"}} for g in geometries]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_polygons_holes_and_multipolygons_are_drawn_as_instances(tmp_path: Path) -> None:
    path = write_features(
        tmp_path / "a.geojson",
        {"type": "Polygon", "coordinates": [square(0, 0, 4)]},
        {"type": "Polygon", "coordinates": [square(10, 10, 6), square(12, 12, 2)]},  # a 6x6 ring with a 2x2 hole
        {"type": "MultiPolygon", "coordinates": [[square(0, 10, 2)], [square(4, 10, 2)]]},  # one nucleus, two parts
    )
    polygons, problems = read_polygons(path, image_size=(20, 20))
    assert problems == [] and len(polygons) == 3
    labels = draw_instances(polygons, (20, 20))
    assert np.bincount(labels.ravel()).tolist()[1:] == [16, 36 - 4, 8]  # pixel corners at integer coordinates
    assert labels[:4, :4].min() == 1 and labels[4, 4] == 0
    assert labels[12:14, 12:14].max() == 0 and labels[10, 10] == 2  # the hole stays background
    assert set(np.unique(labels[10:12, 0:6])) == {0, 3}


def test_every_invalid_feature_is_named_with_its_problem(tmp_path: Path) -> None:
    path = write_features(
        tmp_path / "bad.geojson",
        {"type": "Polygon", "coordinates": [square(0, 0, 4)]},
        {"type": "Polygon", "coordinates": [[[0, 0], [6, 6], [6, 0], [0, 6], [0, 0]]]},  # a bow tie
        {"type": "Polygon", "coordinates": [square(15, 15, 10)]},  # beyond a 20 x 20 image
        {"type": "Point", "coordinates": [3, 3]},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]},  # too few points
    )
    polygons, problems = read_polygons(path, image_size=(20, 20))
    assert len(polygons) == 1 and len(problems) == 4
    assert problems[0].startswith("feature 1: invalid Polygon (Self-intersection")
    assert problems[1].startswith("feature 2: Polygon reaches outside the 20 x 20 image")
    assert problems[2] == "feature 3: unknown geometry type 'Point' (Polygon and MultiPolygon are read)"
    assert problems[3].startswith("feature 4: invalid Polygon")
    assert len(read_polygons(path, others="skip")[1]) == 2  # a ROI ignores points; no image bounds


def test_a_file_that_is_not_geojson_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "x.geojson").write_text("{not json")
    with pytest.raises(ImageReadError, match=r"x\.geojson: not a readable GeoJSON file"):
        read_polygons(tmp_path / "x.geojson")
    (tmp_path / "y.geojson").write_text("[1, 2]")
    with pytest.raises(ImageReadError, match="not a GeoJSON object"):
        read_polygons(tmp_path / "y.geojson")
