"""Per-nucleus features: shape (scikit-image regionprops), intensity per channel, stain optical densities,
the positive/negative call read from the nuclear compartment (the nucleus less its rim) with its 0/1+/2+/3+
intensity bin, or for a membrane marker from the cell's membrane ring (`unetops.quantify.membrane`), and whether
the object looks like a nucleus (hematoxylin, shape)."""

from __future__ import annotations

import math

import cv2
import numpy as np
from scipy import ndimage
from skimage.measure import regionprops_table
from skimage.segmentation import expand_labels, find_boundaries

from unetops.preprocess.deconvolution import deconvolve
from unetops.quantify.config import QuantifyConfig
from unetops.quantify.instances import touches_border
from unetops.quantify.membrane import membrane_stains

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


def nuclear_core(labels: np.ndarray, rim: int) -> np.ndarray:
    """Labels with each nucleus's outer `rim` pixels removed (touching nuclei lose their shared edge too); a
    nucleus too small to keep a core is left whole."""
    if rim <= 0:
        return labels
    inner = (labels > 0) & ~find_boundaries(labels, mode="inner")
    core = np.where(ndimage.distance_transform_edt(inner) >= rim, labels, 0)
    kept = np.bincount(core.ravel(), minlength=int(labels.max()) + 1) > 0
    return np.where(kept[labels], core, labels)


def compartment_stains(
    labels: np.ndarray, image: np.ndarray, config: QuantifyConfig, pixel_size: float | None
) -> dict[str, np.ndarray]:
    """Per label 1..N, the stains of its compartments (one colour deconvolution of the pixels they cover).

    `dab_od_nuclear` is the DAB of the nuclear core (the nucleus less its rim) above that of a ring around the
    nucleus (other nuclei left out): a negative nucleus lying in brown cytoplasm, whose core carries the
    cytoplasm's DAB above and below it, holds none. `hematoxylin_contrast` is the same for hematoxylin: a
    nucleus, stained or not, is bluer than its surroundings; brown cytoplasm or membrane taken for one is not.
    """
    slots = int(labels.max()) + 1
    ring = expand_labels(labels, config.ring_pixels(pixel_size))
    ring[labels > 0] = 0
    core = nuclear_core(labels, config.rim_pixels(pixel_size))
    where = (labels > 0) | (ring > 0)
    hematoxylin, dab = (od.ravel() for od in deconvolve(image[where][None], config.stains))

    def per_label(owners: np.ndarray, od: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mine = owners[where]
        sums = np.bincount(mine, weights=od, minlength=slots)[1:]
        return sums, np.bincount(mine, minlength=slots)[1:]

    columns: dict[str, np.ndarray] = {}
    for stain, od in (("hematoxylin", hematoxylin), ("dab", dab)):
        integrated, area = per_label(labels, od)
        columns[f"{stain}_od_integrated"] = integrated
        columns[f"{stain}_od_mean"] = integrated / np.maximum(area, 1)
    (core_dab, core_area), (ring_dab, ring_area) = per_label(core, dab), per_label(ring, dab)
    columns["dab_od_core"] = core_dab / np.maximum(core_area, 1)
    columns["dab_od_surround"] = ring_dab / np.maximum(ring_area, 1)  # 0 for a nucleus with no free ring
    columns["dab_od_nuclear"] = columns["dab_od_core"] - columns["dab_od_surround"]
    ring_h, _ = per_label(ring, hematoxylin)
    columns["hematoxylin_contrast"] = columns["hematoxylin_od_mean"] - ring_h / np.maximum(ring_area, 1)
    return columns


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
        columns.update(compartment_stains(labels, image, config, pixel_size))
        columns["nucleus_like"] = (columns["hematoxylin_contrast"] >= config.min_hematoxylin_contrast) & (
            columns["minor_axis"] >= config.min_width_pixels(pixel_size)
        )
        if config.compartment == "membrane":  # HER2: the cell's membrane, not its nucleus, carries the stain
            columns.update(membrane_stains(labels, deconvolve(image, config.stains)[1], config, pixel_size))
            columns["positive"] = columns["membrane_score"] >= 1
            columns["intensity_bin"] = columns["membrane_score"]
        else:
            columns["positive"] = columns["dab_od_nuclear"] > config.positive_threshold
            columns["intensity_bin"] = intensity_bins(columns["dab_od_nuclear"], config.intensity_cutoffs)
    if pixel_size is not None:
        for name in ("area", "convex_area"):
            if name in columns:
                columns[f"{name}_um2"] = columns[name] * pixel_size**2
        for name in ("perimeter", "equivalent_diameter", "major_axis", "minor_axis", "max_feret", "min_feret"):
            if name in columns:
                columns[f"{name}_um"] = columns[name] * pixel_size
    return columns
