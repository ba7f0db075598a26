"""Object metrics for nuclei: matching at IoU 0.5, object F1, AJI, panoptic quality, count error."""

from __future__ import annotations

import numpy as np
import torch
from monai.metrics import compute_panoptic_quality

OBJECT_METRICS = ("object_f1", "aji", "pq", "count_error", "count_predicted", "count_true")


def relabel(labels: np.ndarray) -> np.ndarray:
    """Labels renumbered 1..N in order of first appearance (0 stays background)."""
    values, inverse = np.unique(labels, return_inverse=True)
    if values[0] != 0:
        inverse = inverse + 1
    return inverse.reshape(labels.shape).astype(np.int32)


def overlap_table(prediction: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(intersection, prediction areas, truth areas): intersection[i, j] of truth object i+1 and prediction j+1."""
    n_true, n_pred = int(truth.max()), int(prediction.max())
    joint = np.bincount(
        truth.ravel().astype(np.int64) * (n_pred + 1) + prediction.ravel(), minlength=(n_true + 1) * (n_pred + 1)
    )
    joint = joint.reshape(n_true + 1, n_pred + 1)
    return joint[1:, 1:], joint[:, 1:].sum(axis=0), joint[1:, :].sum(axis=1)


def match_objects(prediction: np.ndarray, truth: np.ndarray, threshold: float = 0.5) -> list[tuple[int, int, float]]:
    """(truth label, prediction label, IoU) of pairs with IoU > threshold; at 0.5 and above they are unique."""
    intersection, pred_area, true_area = overlap_table(prediction, truth)
    union = true_area[:, None] + pred_area[None, :] - intersection
    iou = np.divide(intersection, union, out=np.zeros(intersection.shape), where=union > 0)
    rows, cols = np.nonzero(iou > threshold)
    return [(int(r) + 1, int(c) + 1, float(iou[r, c])) for r, c in zip(rows, cols, strict=True)]


def aggregated_jaccard(prediction: np.ndarray, truth: np.ndarray) -> float:
    """Aggregated Jaccard Index (Kumar et al. 2017) of two instance label images.

    Each true object is paired with the predicted object of highest IoU; the pairs' intersections are
    summed over their unions, to which unpaired true and predicted objects add their areas.
    """
    intersection, pred_area, true_area = overlap_table(prediction, truth)
    if true_area.size == 0 or pred_area.size == 0:
        return 1.0 if true_area.size == pred_area.size else 0.0
    union = true_area[:, None] + pred_area[None, :] - intersection
    iou = np.divide(intersection, union, out=np.zeros(intersection.shape), where=union > 0)
    rows, best = np.arange(true_area.size), iou.argmax(axis=1)
    paired = iou[rows, best] > 0
    used = np.zeros(pred_area.size, bool)
    used[best[paired]] = True
    total_intersection = intersection[rows, best][paired].sum()
    total_union = union[rows, best][paired].sum() + true_area[~paired].sum() + pred_area[~used].sum()
    return float(total_intersection / total_union)


def object_metrics(prediction: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Object F1 at IoU 0.5, AJI, panoptic quality (MONAI) and count error of two instance label images."""
    prediction, truth = relabel(prediction), relabel(truth)
    n_pred, n_true = int(prediction.max()), int(truth.max())
    matches = match_objects(prediction, truth)
    tp = len(matches)
    f1 = 1.0 if n_pred == n_true == 0 else 2 * tp / (n_pred + n_true)
    if n_pred == n_true == 0:
        pq = 1.0
    else:
        pq = float(
            compute_panoptic_quality(
                torch.as_tensor(prediction), torch.as_tensor(truth), metric_name="pq", match_iou_threshold=0.5
            ).item()
        )
    return {
        "object_f1": float(f1),
        "aji": aggregated_jaccard(prediction, truth),
        "pq": pq,
        "count_error": float(abs(n_pred - n_true)),
        "count_predicted": float(n_pred),
        "count_true": float(n_true),
    }
