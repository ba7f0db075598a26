"""Nucleus instances from a binary mask: connected components, touching nuclei split by a distance-transform
watershed, small objects removed, objects touching the border flagged."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from skimage.measure import label
from skimage.segmentation import find_boundaries, relabel_sequential

from unetops.model.instances import split_touching
from unetops.model.segmenter import Segmentation
from unetops.quantify.config import QuantifyConfig


@dataclass(frozen=True)
class Nuclei:
    """What a mask source gives for one image: the mask, the instances when the source parts touching nuclei
    itself (an instance model), the source's warnings about the input and its reasons to read no index."""

    mask: np.ndarray
    instances: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, segmentation: Segmentation) -> Nuclei:
        return cls(segmentation.mask, segmentation.instances, segmentation.warnings, segmentation.refusals)


def nucleus_instances(
    nuclei: Nuclei | np.ndarray, config: QuantifyConfig, pixel_size: float | None = None
) -> np.ndarray:
    """Instances 1..N, objects under `min_area_um2` removed (at `pixel_size` um/px), numbered in raster order: the
    source's own instances, or those of a binary mask with touching nuclei split (`QuantifyConfig.split_touching`)."""
    given = nuclei.instances if isinstance(nuclei, Nuclei) else None
    mask = (nuclei.mask if isinstance(nuclei, Nuclei) else nuclei).astype(bool)
    if given is not None:
        labels = given.astype(np.int32, copy=True)
    elif config.split_touching:
        labels = split_touching(mask, config.min_distance, config.footprint)
    else:
        labels = label(mask, connectivity=2)
    sizes = np.bincount(labels.ravel())
    labels[(sizes < config.min_area_pixels(pixel_size))[labels] & (labels > 0)] = 0
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
