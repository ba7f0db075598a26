"""Object metrics for nuclei: matching at IoU thresholds, object F1, average precision as in the 2018 Data
Science Bowl, AJI, panoptic quality with its two factors, splits and merges, count error."""

from __future__ import annotations

import numpy as np

from unetops.model.instances import iou_table, overlap_table, relabel

OBJECT_METRICS = ("object_f1", "ap50", "map", "aji", "pq", "sq", "rq", "splits", "merges", "count_error",
                  "count_predicted", "count_true")  # fmt: skip
AP_THRESHOLDS = np.round(np.arange(0.5, 0.96, 0.05), 2)  # the DSB 2018 IoU thresholds 0.5, 0.55, ..., 0.95


def match_objects(prediction: np.ndarray, truth: np.ndarray, threshold: float = 0.5) -> list[tuple[int, int, float]]:
    """(truth label, prediction label, IoU) of pairs with IoU > threshold; at 0.5 and above they are unique."""
    iou = iou_table(prediction, truth)
    rows, cols = np.nonzero(iou > threshold)
    return [(int(r) + 1, int(c) + 1, float(iou[r, c])) for r, c in zip(rows, cols, strict=True)]


def average_precision(iou: np.ndarray, threshold: float) -> float:
    """TP / (TP + FP + FN) with pairs matched at IoU > `threshold` (>= 0.5: one-to-one), as scored in the 2018
    Data Science Bowl; 1 when both sides are empty."""
    n_true, n_pred = iou.shape
    if n_true == n_pred == 0:
        return 1.0
    tp = int((iou > threshold).sum())
    return tp / (n_true + n_pred - tp)


def splits_and_merges(prediction: np.ndarray, truth: np.ndarray) -> tuple[int, int]:
    """(true objects split, predicted objects that merge): a true object is split when two or more predicted
    objects lie mostly (over half their area) inside it; a predicted object merges when it holds two or more
    true objects mostly."""
    intersection, pred_area, true_area = overlap_table(prediction, truth)
    pieces = (2 * intersection > pred_area[None, :]).sum(axis=1)  # per true object
    held = (2 * intersection > true_area[:, None]).sum(axis=0)  # per predicted object
    return int((pieces >= 2).sum()), int((held >= 2).sum())


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
    """Every object metric (`OBJECT_METRICS`) of two instance label images."""
    prediction, truth = relabel(prediction), relabel(truth)
    n_pred, n_true = int(prediction.max()), int(truth.max())
    iou = iou_table(prediction, truth)
    matched = iou[iou > 0.5]
    tp = matched.size
    empty = n_pred == n_true == 0
    rq = 1.0 if empty else tp / (tp + 0.5 * (n_pred - tp) + 0.5 * (n_true - tp))
    sq = float(matched.mean()) if tp else (1.0 if empty else 0.0)
    splits, merges = splits_and_merges(prediction, truth)
    return {
        "object_f1": rq,  # F1 of the one-to-one matches at IoU 0.5 is the recognition quality
        "ap50": average_precision(iou, 0.5),
        "map": float(np.mean([average_precision(iou, t) for t in AP_THRESHOLDS])),
        "aji": aggregated_jaccard(prediction, truth),
        "pq": sq * rq,
        "sq": sq,
        "rq": rq,
        "splits": float(splits),
        "merges": float(merges),
        "count_error": float(abs(n_pred - n_true)),
        "count_predicted": float(n_pred),
        "count_true": float(n_true),
    }
