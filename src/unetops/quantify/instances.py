"""Nucleus instances from a binary mask: connected components, touching nuclei split by a distance-transform
watershed, small objects removed, objects touching the border flagged."""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from skimage.feature import peak_local_max
from skimage.measure import label
from skimage.segmentation import find_boundaries, relabel_sequential, watershed

from unetops.quantify.config import QuantifyConfig


def split_touching(mask: np.ndarray, min_distance: int, footprint: int) -> np.ndarray:
    """Label image of a binary mask with touching nuclei separated at the necks between them.

    Seeds are the local maxima of the (lightly smoothed) distance to the background, at least
    `min_distance` apart within a `footprint` square; the watershed of the negated distance grows them.
    """
    components = label(mask, connectivity=2)
    distance = ndimage.gaussian_filter(ndimage.distance_transform_edt(mask), 1.0)
    peaks = peak_local_max(
        distance,
        min_distance=min_distance,
        footprint=np.ones((footprint, footprint)),
        labels=components,
        exclude_border=False,
    )
    markers = np.zeros(mask.shape, np.int32)
    markers[tuple(peaks.T)] = np.arange(1, len(peaks) + 1)
    labels = watershed(-distance, markers, mask=mask)
    orphans = components * ((labels == 0) & mask)  # components too small to hold a seed keep their own label
    if orphans.any():
        labels[orphans > 0] = orphans[orphans > 0] + labels.max()
    return labels.astype(np.int32)


def nucleus_instances(mask: np.ndarray, config: QuantifyConfig) -> np.ndarray:
    """Instances 1..N of a boolean mask, split, small objects removed, numbered in raster order."""
    mask = mask.astype(bool)
    labels = (
        split_touching(mask, config.min_distance, config.footprint)
        if config.split_touching
        else label(mask, connectivity=2)
    )
    sizes = np.bincount(labels.ravel())
    labels[(sizes < config.min_area)[labels] & (labels > 0)] = 0
    return relabel_sequential(labels)[0].astype(np.int32)


def touches_border(labels: np.ndarray) -> np.ndarray:
    """Boolean per label 1..N: whether the object touches the image border."""
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    flags = np.zeros(int(labels.max()) + 1, bool)
    flags[edge] = True
    return flags[1:]


def outlines(labels: np.ndarray) -> np.ndarray:
    """Inner boundaries of every instance (boolean)."""
    return find_boundaries(labels, mode="inner")
