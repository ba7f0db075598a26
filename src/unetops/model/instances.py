"""Nucleus instances from a model's outputs.

An instance model (`target: instances`) predicts three classes per pixel: background, nucleus interior and
nucleus border (the nnU-Net border-core scheme, as DSB 2018 winners did). Instances grow by a
marker-controlled watershed: markers are the connected interiors, the flooded surface is the interior
probability, and the flood stays inside the foreground (interior or border). Its two thresholds are chosen
on the validation split, the foreground's for the best pixel Dice and the markers' for the best object F1
(`choose_instance_params`), and kept in the model's metadata.
"""

from __future__ import annotations

import itertools

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import ndimage
from skimage.measure import label
from skimage.segmentation import find_boundaries, watershed

BACKGROUND, INTERIOR, BORDER = 0, 1, 2
FOREGROUND_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
MARKER_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
WATERSHED_GRID = {"min_distance": (1, 2, 3, 4, 5, 6), "footprint": (3, 5, 7, 9)}


class InstanceParams(BaseModel):
    """How an instance model's outputs become instances (chosen on the validation split)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    foreground_threshold: float = Field(0.5, gt=0, lt=1, description="1 - P(background) above which a pixel is nucleus")
    marker_threshold: float = Field(0.5, gt=0, lt=1, description="P(interior) above which a pixel seeds a nucleus")
    min_marker_area: int = Field(4, ge=1, description="smallest seed kept, in pixels")


def instance_targets(instances: np.ndarray) -> np.ndarray:
    """The three-class target (uint8: 0 background, 1 interior, 2 border) of an instance label image: a
    nucleus' pixels next to the background or to another nucleus are its border, so touching nuclei are
    parted by two border pixels."""
    target = (instances > 0).astype(np.uint8)
    target[find_boundaries(instances, mode="inner") & (instances > 0)] = BORDER
    return target


def instances_from_maps(probabilities: np.ndarray, params: InstanceParams) -> np.ndarray:
    """Instances (int32, 1..N in raster order of their seeds) from class probabilities (3, H, W)."""
    foreground = 1.0 - probabilities[BACKGROUND] > params.foreground_threshold
    interior = probabilities[INTERIOR]
    markers = label((interior > params.marker_threshold) & foreground, connectivity=1)
    sizes = np.bincount(markers.ravel())
    markers[(sizes < params.min_marker_area)[markers]] = 0
    return relabel(_unseeded_kept(watershed(-interior, markers, mask=foreground), foreground))


def _unseeded_kept(labels: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """`labels` (a watershed's) with every piece of `mask` that no seed reached added as a nucleus of its own."""
    orphans = label(mask & (labels == 0), connectivity=2)
    if orphans.any():
        labels[orphans > 0] = orphans[orphans > 0] + labels.max()
    return labels


def relabel(labels: np.ndarray) -> np.ndarray:
    """Labels renumbered 1..N in order of their values (0 stays background), int32."""
    values, inverse = np.unique(labels, return_inverse=True)
    return (inverse.reshape(labels.shape) + (values[0] != 0)).astype(np.int32)


def split_touching(mask: np.ndarray, min_distance: int, footprint: int) -> np.ndarray:
    """Instances of a binary model's mask, touching nuclei separated at the necks between them.

    Seeds are the local maxima of the (lightly smoothed) distance to the background, at least `min_distance`
    apart within a `footprint` square; the watershed of the negated distance grows them.
    """
    from skimage.feature import peak_local_max

    components = label(mask, connectivity=2)
    distance = ndimage.gaussian_filter(ndimage.distance_transform_edt(mask), 1.0)
    peaks = peak_local_max(
        distance, min_distance=min_distance, footprint=np.ones((footprint, footprint)), labels=components,
        exclude_border=False,
    )  # fmt: skip
    markers = np.zeros(mask.shape, np.int32)
    markers[tuple(peaks.T)] = np.arange(1, len(peaks) + 1)
    return _unseeded_kept(watershed(-distance, markers, mask=mask), mask).astype(np.int32)


def overlap_table(prediction: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(intersection, prediction areas, truth areas): intersection[i, j] of truth object i+1 and prediction j+1
    (labels 1..N, 0 background)."""
    n_true, n_pred = int(truth.max()), int(prediction.max())
    joint = np.bincount(
        truth.ravel().astype(np.int64) * (n_pred + 1) + prediction.ravel(), minlength=(n_true + 1) * (n_pred + 1)
    )
    joint = joint.reshape(n_true + 1, n_pred + 1)
    return joint[1:, 1:], joint[:, 1:].sum(axis=0), joint[1:, :].sum(axis=1)


def iou_table(prediction: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """IoU[i, j] of truth object i+1 and prediction j+1."""
    intersection, pred_area, true_area = overlap_table(prediction, truth)
    union = true_area[:, None] + pred_area[None, :] - intersection
    return np.divide(intersection, union, out=np.zeros(intersection.shape), where=union > 0)


def object_f1(prediction: np.ndarray, truth: np.ndarray) -> float:
    """F1 of objects matched one-to-one at IoU > 0.5 (1 when both are empty); labels 1..N."""
    n_true, n_pred = int(truth.max()), int(prediction.max())
    if n_true == n_pred == 0:
        return 1.0
    return 2 * int((iou_table(prediction, truth) > 0.5).sum()) / (n_true + n_pred)


def _dice(prediction: np.ndarray, truth: np.ndarray) -> float:
    total = prediction.sum() + truth.sum()
    return 1.0 if total == 0 else 2 * float((prediction & truth).sum()) / float(total)


def choose_instance_params(maps: list[np.ndarray], truths: list[np.ndarray]) -> tuple[InstanceParams, float]:
    """Thresholds chosen on validation images (class probabilities and true instances): the foreground threshold
    (of `FOREGROUND_THRESHOLDS`) with the best mean pixel Dice, then the marker threshold (of
    `MARKER_THRESHOLDS`) with the best mean object F1 within that foreground; returns them and that F1."""
    pixels = {t: np.mean([_dice(1.0 - m[BACKGROUND] > t, y > 0) for m, y in zip(maps, truths, strict=True)])
              for t in FOREGROUND_THRESHOLDS}  # fmt: skip
    foreground = max(FOREGROUND_THRESHOLDS, key=pixels.__getitem__)
    best, best_f1 = InstanceParams(foreground_threshold=foreground), -1.0
    for marker in MARKER_THRESHOLDS:
        params = InstanceParams(foreground_threshold=foreground, marker_threshold=marker)
        f1 = float(np.mean([object_f1(instances_from_maps(m, params), t) for m, t in zip(maps, truths, strict=True)]))
        if f1 > best_f1:
            best, best_f1 = params, f1
    return best, best_f1


def choose_watershed_params(masks: list[np.ndarray], truths: list[np.ndarray]) -> tuple[dict[str, int], float]:
    """`split_touching`'s settings (a grid of `WATERSHED_GRID`) with the best mean object F1 over validation
    images (binary masks and true instances), and that F1: the binary model's side of a fair comparison."""
    scores = {}
    for distance, footprint in itertools.product(*WATERSHED_GRID.values()):
        found = [split_touching(mask, distance, footprint) for mask in masks]
        scores[distance, footprint] = float(np.mean([object_f1(f, t) for f, t in zip(found, truths, strict=True)]))
    distance, footprint = max(scores, key=scores.__getitem__)
    return {"min_distance": distance, "footprint": footprint}, scores[distance, footprint]
