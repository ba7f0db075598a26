"""Results as QuPath reads them: GeoJSON features (detections for nuclei, an annotation for the hot spot), and
QuPath annotation GeoJSON read back as a region of interest."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa

from unetops.fileio import TEMPORARY_SUFFIX
from unetops.imageio.annotations import read_polygons
from unetops.slide.hotspot import HotSpot
from unetops.slide.readers import SlideError

POSITIVE_COLOUR = [200, 60, 20]
NEGATIVE_COLOUR = [30, 90, 230]
MEASURED = (
    "area_um2",
    "perimeter_um",
    "circularity",
    "hematoxylin_od_mean",
    "dab_od_mean",
    "dab_od_nuclear",
    "intensity_bin",
)


def _closed(points: list[list[float]]) -> list[list[float]]:
    return points + points[:1] if points and points[0] != points[-1] else points


def nucleus_features(table: pa.Table | pa.RecordBatch) -> list[dict[str, Any]]:
    """One QuPath detection per nucleus: its outline, Positive or Negative, and its measurements."""
    rows = table.select(["contour", "positive", *MEASURED]).to_pylist()
    features = []
    for row in rows:
        if len(row["contour"]) < 3:
            continue
        name, colour = ("Positive", POSITIVE_COLOUR) if row["positive"] else ("Negative", NEGATIVE_COLOUR)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [_closed(row["contour"])]},
                "properties": {
                    "objectType": "detection",
                    "classification": {"name": name, "color": colour},
                    "measurements": {k: row[k] for k in MEASURED if row[k] is not None},
                },
            }
        )
    return features


def hotspot_feature(hotspot: HotSpot) -> dict[str, Any]:
    """The hot spot as a QuPath annotation (a rectangle) with its index and counts as measurements."""
    x0, y0, x1, y1 = hotspot.x, hotspot.y, hotspot.x + hotspot.width, hotspot.y + hotspot.height
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]},
        "properties": {
            "objectType": "annotation",
            "name": f"Ki-67 hot spot {hotspot.index:.1f}%",
            "classification": {"name": "Hotspot", "color": [255, 200, 0]},
            "measurements": {"index_percent": hotspot.index, "nuclei": hotspot.nuclei, "positive": hotspot.positive},
        },
    }


def feature_collection(features: list[dict[str, Any]]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features})


def write_feature_collection(path: Path, chunks: Iterable[list[dict[str, Any]]]) -> None:
    """A FeatureCollection written chunk by chunk (millions of nuclei never held at once), atomically."""
    temporary = path.with_name(f".{path.name}{TEMPORARY_SUFFIX}")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write('{"type": "FeatureCollection", "features": [')
        first = True
        for chunk in chunks:
            for feature in chunk:
                handle.write(("" if first else ",\n") + json.dumps(feature))
                first = False
        handle.write("]}\n")
    temporary.replace(path)


def read_roi(path: Path):
    """The union of the Polygon and MultiPolygon features of a (QuPath) GeoJSON file, in level-0 pixels (other
    geometries are ignored).

    Raises:
        SlideError: the file is not GeoJSON, has no polygon, or a geometry is invalid (each named by its index).
    """
    import shapely

    polygons, problems = read_polygons(path, others="skip")
    if problems:
        raise SlideError("; ".join(problems), path=path, fix="correct or remove these features in QuPath")
    if not polygons:
        raise SlideError("no Polygon or MultiPolygon feature", path=path, fix="export the annotation from QuPath")
    return shapely.union_all(polygons)
