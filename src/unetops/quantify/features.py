"""Per-nucleus features: shape (scikit-image regionprops), intensity per channel, stain optical densities,
and the positive/negative call with its 0/1+/2+/3+ intensity bin."""

from __future__ import annotations

import math

import cv2
import numpy as np
from scipy import ndimage
from skimage.measure import regionprops_table

from unetops.preprocess.deconvolution import deconvolve
from unetops.quantify.config import QuantifyConfig
from unetops.quantify.instances import touches_border

SHAPE_PROPERTIES = (
    "label", "centroid", "bbox", "area", "perimeter", "area_convex", "equivalent_diameter_area",
    "axis_major_length", "axis_minor_length", "orientation", "feret_diameter_max", "solidity", "extent", "eccentricity",
)  # fmt: skip
INTENSITY_PROPERTIES = ("intensity_mean", "intensity_std", "intensity_min", "intensity_max")
# what a whole slide keeps per nucleus (millions of them): position, size, shape essentials; stains below
ESSENTIAL_PROPERTIES = ("label", "centroid", "bbox", "area", "perimeter", "axis_major_length", "axis_minor_length",
                        "solidity", "eccentricity")  # fmt: skip


def min_feret(region: np.ndarray) -> float:
    """Minimum Feret (caliper) diameter: the narrowest width of the object's convex hull over all directions."""
    rows, cols = np.nonzero(region)
    # pixel corners, so that a one-pixel-wide object is one pixel wide
    corners = np.concatenate([np.stack([cols + dx, rows + dy], 1) for dy in (0, 1) for dx in (0, 1)])
    hull = cv2.convexHull(corners.astype(np.float32))[:, 0, :].astype(float)
    if len(hull) < 3:
        return float(min(np.ptp(corners, axis=0)))
    edges = np.roll(hull, -1, axis=0) - hull
    normals = np.stack([-edges[:, 1], edges[:, 0]], 1) / np.linalg.norm(edges, axis=1, keepdims=True)
    projections = hull @ normals.T
    return float((projections.max(axis=0) - projections.min(axis=0)).min())


def intensity_bins(dab: np.ndarray, cutoffs: tuple[float, float, float]) -> np.ndarray:
    """0, 1, 2 or 3 (for 0, 1+, 2+, 3+) from mean DAB optical densities."""
    return np.searchsorted(np.asarray(cutoffs), dab, side="right").astype(np.int8)


def nucleus_features(
    labels: np.ndarray, image: np.ndarray, config: QuantifyConfig, pixel_size: float | None, *, detailed: bool = True
) -> dict[str, np.ndarray]:
    """One column per feature, one row per nucleus (labels 1..N).

    Args:
        labels: instance labels (0 background).
        image: the uint8 image, (H, W) or RGB (H, W, 3); stain optical densities need RGB.
        config: stain vectors and thresholds.
        pixel_size: micrometres per pixel, for the `_um` and `_um2` columns.
        detailed: every feature; False keeps `ESSENTIAL_PROPERTIES` and the stains (whole slides: half the time).
    """
    channels = image[..., None] if image.ndim == 2 else image
    table = regionprops_table(
        labels,
        intensity_image=channels,
        properties=SHAPE_PROPERTIES + INTENSITY_PROPERTIES if detailed else ESSENTIAL_PROPERTIES,
        extra_properties=(min_feret,) if detailed else (),
    )
    columns: dict[str, np.ndarray] = {"id": table.pop("label")}
    columns["centroid_y"], columns["centroid_x"] = table.pop("centroid-0"), table.pop("centroid-1")
    for key, name in (
        ("bbox-0", "bbox_min_row"),
        ("bbox-1", "bbox_min_col"),
        ("bbox-2", "bbox_max_row"),
        ("bbox-3", "bbox_max_col"),
    ):
        columns[name] = table.pop(key)
    renames = {
        "area_convex": "convex_area",
        "equivalent_diameter_area": "equivalent_diameter",
        "axis_major_length": "major_axis",
        "axis_minor_length": "minor_axis",
        "feret_diameter_max": "max_feret",
    }
    for key in (
        "area",
        "perimeter",
        "area_convex",
        "equivalent_diameter_area",
        "axis_major_length",
        "axis_minor_length",
        "orientation",
        "feret_diameter_max",
        "min_feret",
        "solidity",
        "extent",
        "eccentricity",
    ):
        if key in table:
            columns[renames.get(key, key)] = table.pop(key)
    perimeter = np.maximum(columns["perimeter"], 1e-9)
    columns["circularity"] = 4 * math.pi * columns["area"] / perimeter**2
    columns["aspect_ratio"] = columns["major_axis"] / np.maximum(columns["minor_axis"], 1e-9)
    names = ("r", "g", "b") if channels.shape[2] == 3 else ("gray",)
    for stat in ("mean", "std", "min", "max") if detailed else ():
        for index, channel in enumerate(names):
            columns[f"intensity_{stat}_{channel}"] = table.pop(f"intensity_{stat}-{index}")
    for index, channel in enumerate(names if detailed else ()):
        medians = ndimage.median(channels[..., index], labels, columns["id"]) if len(columns["id"]) else []
        columns[f"intensity_median_{channel}"] = np.asarray(medians, dtype=float)
    columns["touches_border"] = touches_border(labels)
    if channels.shape[2] == 3:
        inside = labels > 0  # only the nuclei's pixels need their stains
        hematoxylin, dab = deconvolve(image[inside][None], config.stains)
        owners = labels[inside]
        counts = np.maximum(np.bincount(owners, minlength=len(columns["id"]) + 1)[1:], 1)
        for stain, od in (("hematoxylin", hematoxylin), ("dab", dab)):
            integrated = np.bincount(owners, weights=od.ravel(), minlength=len(columns["id"]) + 1)[1:]
            columns[f"{stain}_od_integrated"] = integrated
            columns[f"{stain}_od_mean"] = integrated / counts
        columns["positive"] = columns["dab_od_mean"] > config.positive_threshold
        columns["intensity_bin"] = intensity_bins(columns["dab_od_mean"], config.intensity_cutoffs)
    if pixel_size is not None:
        for name in ("area", "convex_area"):
            if name in columns:
                columns[f"{name}_um2"] = columns[name] * pixel_size**2
        for name in ("perimeter", "equivalent_diameter", "major_axis", "minor_axis", "max_feret", "min_feret"):
            if name in columns:
                columns[f"{name}_um"] = columns[name] * pixel_size
    return columns
