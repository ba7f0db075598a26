from __future__ import annotations

import numpy as np
import pytest

from unetops.evaluation.objects import OBJECT_METRICS, aggregated_jaccard, match_objects, object_metrics, relabel


def labels(*boxes: tuple[int, int, int, int], shape: int = 20) -> np.ndarray:
    """Label image with box k (top, left, height, width) as label k+1."""
    out = np.zeros((shape, shape), np.int32)
    for k, (top, left, h, w) in enumerate(boxes, start=1):
        out[top : top + h, left : left + w] = k
    return out


def test_empty_on_either_side() -> None:
    empty = np.zeros((10, 10), np.int32)
    perfect = {name: 1.0 for name in ("object_f1", "ap50", "map", "aji", "pq", "sq", "rq")}
    counts = {name: 0.0 for name in ("splits", "merges", "count_error", "count_predicted", "count_true")}
    assert object_metrics(empty, empty) == perfect | counts
    assert list(object_metrics(empty, empty)) == list(OBJECT_METRICS)
    one = labels((1, 1, 3, 3), shape=10)
    missed = object_metrics(empty, one)
    assert missed["object_f1"] == 0 and missed["aji"] == 0 and missed["pq"] == 0 and missed["count_error"] == 1
    assert missed["ap50"] == missed["map"] == missed["sq"] == missed["rq"] == 0
    extra = object_metrics(one, empty)
    assert extra["object_f1"] == 0 and extra["aji"] == 0 and extra["count_error"] == 1


def test_one_object_partly_found() -> None:
    truth = labels((2, 2, 4, 4))
    prediction = labels((2, 2, 4, 3))  # IoU 12/16
    m = object_metrics(prediction, truth)
    assert m["object_f1"] == 1.0 and m["aji"] == pytest.approx(0.75) and m["pq"] == pytest.approx(0.75)
    assert m["sq"] == pytest.approx(0.75) and m["rq"] == 1.0 and m["ap50"] == 1.0
    # matched above 0.5, 0.55, 0.6, 0.65, 0.7 (AP 1); not above 0.75 ... 0.95 (AP 0/2): mean 5/10
    assert m["map"] == pytest.approx(0.5)
    assert m["splits"] == m["merges"] == 0


def test_a_hit_a_miss_and_a_false_alarm() -> None:
    truth = labels((0, 0, 4, 4), (10, 10, 4, 4))
    prediction = labels((0, 0, 4, 4), (0, 10, 3, 3))
    m = object_metrics(prediction, truth)
    assert m["ap50"] == pytest.approx(1 / 3)  # TP 1, FP 1, FN 1
    assert m["rq"] == m["object_f1"] == pytest.approx(0.5) and m["sq"] == 1.0 and m["pq"] == pytest.approx(0.5)
    assert m["map"] == pytest.approx(1 / 3)


def test_a_split_nucleus() -> None:
    truth = labels((2, 2, 4, 8))
    split = labels((2, 2, 4, 4), (2, 6, 4, 4))
    m = object_metrics(split, truth)
    assert m["splits"] == 1 and m["merges"] == 0 and m["ap50"] == 0  # IoU 0.5 each: not above


def test_touching_objects_merged_by_the_prediction() -> None:
    truth = labels((2, 2, 4, 4), (2, 6, 4, 4))  # two touching 4x4 nuclei
    merged = labels((2, 2, 4, 8))  # one 4x8 blob
    m = object_metrics(merged, truth)
    assert m["count_predicted"] == 1 and m["count_true"] == 2 and m["count_error"] == 1
    assert m["object_f1"] == 0.0  # IoU 16/32 = 0.5 is not above 0.5
    # AJI: both truth objects pick the blob: intersections 16 + 16, unions 32 + 32
    assert m["aji"] == pytest.approx(32 / 64)
    assert m["pq"] == 0.0
    assert m["merges"] == 1 and m["splits"] == 0 and m["ap50"] == 0


def test_panoptic_quality_agrees_with_monai() -> None:
    torch = pytest.importorskip("torch")
    from monai.metrics import compute_panoptic_quality

    rng = np.random.default_rng(0)
    truth = labels(*[(int(r), int(c), 5, 5) for r, c in rng.integers(0, 45, (12, 2))], shape=50)
    prediction = labels(*[(int(r), int(c), 4, 6) for r, c in rng.integers(0, 45, (12, 2))], shape=50)
    prediction[truth == 3] = 20  # an extra object of the exact shape of one true object (where not overlapped)
    ours = object_metrics(prediction, truth)
    for name in ("pq", "sq", "rq"):
        theirs = compute_panoptic_quality(
            torch.as_tensor(relabel(prediction)), torch.as_tensor(relabel(truth)), metric_name=name
        )
        assert ours[name] == pytest.approx(float(theirs), abs=1e-6), name


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
