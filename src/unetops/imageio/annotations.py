"""Polygon annotations (QuPath GeoJSON export) read as shapely geometries, every invalid feature named, and
drawn as instance labels.

Coordinates are pixels with (0, 0) the top-left corner of the image, as QuPath writes them; a pixel belongs
to a polygon when its centre lies inside it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from skimage.draw import polygon as polygon_pixels

from unetops.errors import ImageReadError

POLYGON_TYPES = ("Polygon", "MultiPolygon")
ANNOTATION_SUFFIX = ".geojson"


def _features(path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImageReadError(f"not a readable GeoJSON file: {exc}", path=path) from None
    if not isinstance(data, dict):
        raise ImageReadError("not a GeoJSON object (a FeatureCollection or a Feature)", path=path)
    if data.get("type") == "Feature":
        return [data]
    features = data.get("features")
    if not isinstance(features, list):
        raise ImageReadError("not a GeoJSON FeatureCollection (no 'features' list)", path=path)
    return features


def read_polygons(
    path: Path, *, image_size: tuple[int, int] | None = None, others: str = "error"
) -> tuple[list[Any], list[str]]:
    """The Polygon and MultiPolygon features of a GeoJSON file, and a problem line for each invalid feature.

    Args:
        path: the GeoJSON file.
        image_size: (width, height): a polygon reaching outside the image is a problem.
        others: `"error"`: any other geometry type is a problem; `"skip"`: ignored (points, lines of a ROI file).

    Returns:
        The valid polygons in file order, and one line per invalid feature (`feature N: ...`), all of them.

    Raises:
        ImageReadError: the file is not readable GeoJSON.
    """
    import shapely
    from shapely.geometry import shape

    polygons, problems = [], []
    for number, feature in enumerate(_features(path)):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind not in POLYGON_TYPES:
            if others == "error":
                problems.append(f"feature {number}: unknown geometry type {kind!r} (Polygon and MultiPolygon are read)")
            continue
        try:
            polygon = shape(geometry)
        except Exception as exc:  # shapely raises several types for malformed coordinates
            problems.append(f"feature {number}: invalid {kind}: {exc}")
            continue
        if not polygon.is_valid:
            problems.append(f"feature {number}: invalid {kind} ({shapely.is_valid_reason(polygon)})")
            continue
        if image_size is not None:
            left, top, right, bottom = polygon.bounds
            width, height = image_size
            if left < 0 or top < 0 or right > width or bottom > height:
                problems.append(
                    f"feature {number}: {kind} reaches outside the {width} x {height} image "
                    f"(x {left:g} to {right:g}, y {top:g} to {bottom:g})"
                )
                continue
        polygons.append(polygon)
    return polygons, problems


def draw_instances(polygons: list[Any], shape: tuple[int, int]) -> np.ndarray:
    """Instance labels (int32, 0 background): polygon k is label k+1, its holes left out; a later polygon wins
    where two overlap."""
    labels = np.zeros(shape, np.int32)
    for label, geometry in enumerate(polygons, start=1):
        for part in getattr(geometry, "geoms", [geometry]):
            left, top, right, bottom = part.bounds
            r0, c0 = max(0, math.floor(top)), max(0, math.floor(left))
            r1, c1 = min(shape[0], math.ceil(bottom) + 1), min(shape[1], math.ceil(right) + 1)
            if r1 <= r0 or c1 <= c0:
                continue
            inside = np.zeros((r1 - r0, c1 - c0), bool)
            for ring, value in [(part.exterior, True)] + [(hole, False) for hole in part.interiors]:
                xs, ys = np.asarray(ring.coords).T
                rows, columns = polygon_pixels(ys - 0.5 - r0, xs - 0.5 - c0, inside.shape)  # pixel centres
                inside[rows, columns] = value
            labels[r0:r1, c0:c1][inside] = label
    return labels
