from __future__ import annotations

import numpy as np
import pytest

from unetops.evaluation.objects import aggregated_jaccard, match_objects, object_metrics, relabel


def labels(*boxes: tuple[int, int, int, int], shape: int = 20) -> np.ndarray:
    """Label image with box k (top, left, height, width) as label k+1."""
    out = np.zeros((shape, shape), np.int32)
    for k, (top, left, h, w) in enumerate(boxes, start=1):
        out[top : top + h, left : left + w] = k
    return out


def test_empty_on_either_side() -> None:
    empty = np.zeros((10, 10), np.int32)
    assert object_metrics(empty, empty) == {
        "object_f1": 1.0,
        "aji": 1.0,
        "pq": 1.0,
        "count_error": 0.0,
        "count_predicted": 0.0,
        "count_true": 0.0,
    }
    one = labels((1, 1, 3, 3), shape=10)
    missed = object_metrics(empty, one)
    assert missed["object_f1"] == 0 and missed["aji"] == 0 and missed["pq"] == 0 and missed["count_error"] == 1
    extra = object_metrics(one, empty)
    assert extra["object_f1"] == 0 and extra["aji"] == 0 and extra["count_error"] == 1


def test_one_object_partly_found() -> None:
    truth = labels((2, 2, 4, 4))
    prediction = labels((2, 2, 4, 3))  # IoU 12/16
    m = object_metrics(prediction, truth)
    assert m["object_f1"] == 1.0 and m["aji"] == pytest.approx(0.75) and m["pq"] == pytest.approx(0.75)


def test_touching_objects_merged_by_the_prediction() -> None:
    truth = labels((2, 2, 4, 4), (2, 6, 4, 4))  # two touching 4x4 nuclei
    merged = labels((2, 2, 4, 8))  # one 4x8 blob
    m = object_metrics(merged, truth)
    assert m["count_predicted"] == 1 and m["count_true"] == 2 and m["count_error"] == 1
    assert m["object_f1"] == 0.0  # IoU 16/32 = 0.5 is not above 0.5
    # AJI: both truth objects pick the blob: intersections 16 + 16, unions 32 + 32
    assert m["aji"] == pytest.approx(32 / 64)
    assert m["pq"] == 0.0


def test_matching_is_unique_above_half() -> None:
    truth = labels((0, 0, 4, 4), (10, 10, 4, 4))
    prediction = labels((10, 10, 4, 4), (0, 0, 4, 3))
    assert sorted(match_objects(prediction, truth)) == [(1, 2, 0.75), (2, 1, 1.0)]


def test_aji_counts_unmatched_predictions() -> None:
    truth = labels((0, 0, 4, 4))
    prediction = labels((0, 0, 4, 4), (10, 10, 2, 2))
    assert aggregated_jaccard(prediction, truth) == pytest.approx(16 / (16 + 4))


def test_relabel() -> None:
    assert relabel(np.array([[0, 7], [7, 3]])).tolist() == [[0, 2], [2, 1]]
