"""Pixel metrics of one binary prediction against its truth, by MONAI, with the empty cases defined.

Both masks empty is a perfect answer (Dice, IoU, precision and recall 1, HD95 0). Precision is undefined
(NaN) without predicted foreground and recall without true foreground; HD95 is NaN when one side is empty.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import torch
from monai.metrics import (
    compute_confusion_matrix_metric,
    compute_dice,
    compute_hausdorff_distance,
    compute_iou,
    get_confusion_matrix,
)

PIXEL_METRICS = ("dice", "iou", "precision", "recall", "hd95")


def _tensor(mask: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(mask.astype(np.float32))[None, None]


def _hd95(prediction: torch.Tensor, truth: torch.Tensor) -> float:
    """MONAI's 95th-percentile Hausdorff distance, without the FutureWarning MONAI raises from its own internals
    (its `get_mask_edges` call passes an argument MONAI itself deprecated) on every image."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*always_return_as_numpy.*", category=FutureWarning)
        return compute_hausdorff_distance(prediction, truth, include_background=True, percentile=95).item()


def pixel_metrics(prediction: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Dice, IoU, precision, recall and 95th-percentile Hausdorff distance (pixels) of two boolean masks."""
    has_pred, has_truth = bool(prediction.any()), bool(truth.any())
    if not has_pred and not has_truth:
        return {"dice": 1.0, "iou": 1.0, "precision": 1.0, "recall": 1.0, "hd95": 0.0}
    p, t = _tensor(prediction), _tensor(truth)
    confusion = get_confusion_matrix(p, t, include_background=True)
    precision = compute_confusion_matrix_metric("precision", confusion).item() if has_pred else math.nan
    recall = compute_confusion_matrix_metric("recall", confusion).item() if has_truth else math.nan
    hd95 = _hd95(p, t) if has_pred and has_truth else math.nan
    return {
        "dice": float(compute_dice(p, t, include_background=True, ignore_empty=False).item()),
        "iou": float(compute_iou(p, t, include_background=True, ignore_empty=False).item()),
        "precision": float(precision),
        "recall": float(recall),
        "hd95": float(hd95),
    }
