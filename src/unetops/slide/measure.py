"""Nuclei of one tile: segmented with its margin, kept when their centroid lies in the tile's core, so that a
nucleus on a tile border is counted once; positions in level-0 slide pixels, sizes in micrometres."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
import pyarrow as pa

from unetops.quantify.config import QuantifyConfig
from unetops.quantify.features import nucleus_features
from unetops.quantify.instances import Nuclei, nucleus_instances
from unetops.quantify.refusals import image_refusals
from unetops.slide.tiles import Tile, TileGrid

TileMasks = Callable[[np.ndarray, Tile], Nuclei]  # (tile pixels, tile) -> the tile's nuclei
COLUMNS = {
    "x": pa.float64(), "y": pa.float64(), "tile": pa.int32(), "area_um2": pa.float32(), "perimeter_um": pa.float32(),
    "circularity": pa.float32(), "major_axis_um": pa.float32(), "minor_axis_um": pa.float32(),
    "solidity": pa.float32(), "eccentricity": pa.float32(), "hematoxylin_od_mean": pa.float32(),
    "dab_od_mean": pa.float32(), "dab_od_nuclear": pa.float32(), "positive": pa.bool_(), "intensity_bin": pa.int8(),
    "nucleus_like": pa.bool_(), "membrane_od": pa.float32(), "membrane_completeness": pa.float32(),
    "membrane_score": pa.int8(),  # membrane markers (HER2); 0 for nuclear ones
    "contour": pa.list_(pa.list_(pa.float32(), 2)),
}  # fmt: skip
SCHEMA = pa.schema(COLUMNS)


def _contours(labels: np.ndarray, ids: np.ndarray, boxes: np.ndarray) -> list[np.ndarray]:
    """The outer contour of each label (x, y in the tile's region pixels), one per id."""
    found = []
    for label, (top, left, bottom, right) in zip(ids, boxes, strict=True):
        crop = (labels[top:bottom, left:right] == label).astype(np.uint8)
        contours, _ = cv2.findContours(crop, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        outline = max(contours, key=cv2.contourArea)[:, 0, :].astype(np.float32) if contours else np.zeros((0, 2))
        found.append(outline + np.array([left, top], np.float32))
    return found


def _outline_array(contours: list[np.ndarray]) -> pa.Array:
    """Outlines as one Arrow list-of-points array, built from flat arrays (no Python list per point)."""
    flat = np.concatenate(contours).astype(np.float32) if contours else np.zeros((0, 2), np.float32)
    points = pa.FixedSizeListArray.from_arrays(pa.array(flat.ravel()), 2)
    offsets = np.concatenate([[0], np.cumsum([len(c) for c in contours])]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), points)


def measure_tile(
    pixels: np.ndarray, nuclei: Nuclei, tile: Tile, grid: TileGrid, config: QuantifyConfig
) -> tuple[pa.Table, np.ndarray, list[str]]:
    """The tile's nuclei whose centroid lies in the tile's core, the core's mask (uint8 0/255) and the tile's
    reasons to read no index from it (`image_refusals`)."""
    labels = nucleus_instances(nuclei, config, grid.mpp)
    features = nucleus_features(labels, pixels, config, grid.mpp, detailed=False)
    cx, cy = features["centroid_x"], features["centroid_y"]
    lo, hi = tile.margin, tile.margin + tile.size
    keep = (cx >= lo) & (cx < hi) & (cy >= lo) & (cy < hi)
    boxes = np.stack([features[k] for k in ("bbox_min_row", "bbox_min_col", "bbox_max_row", "bbox_max_col")], 1)
    origin = np.array([tile.x - tile.margin, tile.y - tile.margin], np.float32)
    contours = [(c + origin) * grid.scale for c in _contours(labels, features["id"][keep], boxes[keep].astype(int))]
    count = int(keep.sum())
    columns: dict[str, Any] = {
        "x": (cx[keep] + origin[0]) * grid.scale,
        "y": (cy[keep] + origin[1]) * grid.scale,
        "tile": np.full(count, tile.index, np.int32),
        "area_um2": features["area_um2"][keep],
        "perimeter_um": features["perimeter_um"][keep],
        "circularity": features["circularity"][keep],
        "major_axis_um": features["major_axis_um"][keep],
        "minor_axis_um": features["minor_axis_um"][keep],
        "solidity": features["solidity"][keep],
        "eccentricity": features["eccentricity"][keep],
        "hematoxylin_od_mean": features.get("hematoxylin_od_mean", np.full(len(cx), np.nan))[keep],
        "dab_od_mean": features.get("dab_od_mean", np.full(len(cx), np.nan))[keep],
        "dab_od_nuclear": features.get("dab_od_nuclear", np.full(len(cx), np.nan))[keep],
        "positive": features.get("positive", np.zeros(len(cx), bool))[keep],
        "intensity_bin": features.get("intensity_bin", np.zeros(len(cx), np.int8))[keep],
        "nucleus_like": features.get("nucleus_like", np.ones(len(cx), bool))[keep],
        "membrane_od": features.get("membrane_od", np.zeros(len(cx)))[keep],
        "membrane_completeness": features.get("membrane_completeness", np.zeros(len(cx)))[keep],
        "membrane_score": features.get("membrane_score", np.zeros(len(cx), np.int8))[keep],
    }
    arrays = {name: pa.array(values, type=COLUMNS[name]) for name, values in columns.items()}
    table = pa.table({**arrays, "contour": _outline_array(contours)}, schema=SCHEMA)
    core = np.where(nuclei.mask[lo:hi, lo:hi], 255, 0).astype(np.uint8)
    return table, core, image_refusals(pixels, labels, config, grid.mpp)
