from __future__ import annotations

import math

import numpy as np
import pytest

from unetops.evaluation.pixel import pixel_metrics


def box(top: int, left: int, size: int, shape: int = 20) -> np.ndarray:
    mask = np.zeros((shape, shape), bool)
    mask[top : top + size, left : left + size] = True
    return mask


def test_both_empty_is_perfect() -> None:
    empty = np.zeros((8, 8), bool)
    assert pixel_metrics(empty, empty) == {"dice": 1.0, "iou": 1.0, "precision": 1.0, "recall": 1.0, "hd95": 0.0}


def test_empty_prediction() -> None:
    m = pixel_metrics(np.zeros((20, 20), bool), box(2, 2, 4))
    assert m["dice"] == 0 and m["iou"] == 0 and m["recall"] == 0
    assert math.isnan(m["precision"]) and math.isnan(m["hd95"])


def test_empty_truth() -> None:
    m = pixel_metrics(box(2, 2, 4), np.zeros((20, 20), bool))
    assert m["dice"] == 0 and m["precision"] == 0 and math.isnan(m["recall"])


def test_identical_object() -> None:
    m = pixel_metrics(box(2, 2, 5), box(2, 2, 5))
    assert m == pytest.approx({"dice": 1.0, "iou": 1.0, "precision": 1.0, "recall": 1.0, "hd95": 0.0})


def test_shifted_object_hand_computed() -> None:
    # 4x4 boxes shifted by 2 columns: intersection 8, each area 16
    m = pixel_metrics(box(2, 4, 4), box(2, 2, 4))
    assert m["dice"] == pytest.approx(2 * 8 / 32)
    assert m["iou"] == pytest.approx(8 / 24)
    assert m["precision"] == pytest.approx(0.5) and m["recall"] == pytest.approx(0.5)
    assert m["hd95"] == pytest.approx(2.0)


def test_hd95_prints_no_future_warning() -> None:
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert pixel_metrics(box(2, 2, 6), box(3, 3, 6))["hd95"] > 0
    assert not [w for w in caught if issubclass(w.category, FutureWarning)], [str(w.message) for w in caught]
