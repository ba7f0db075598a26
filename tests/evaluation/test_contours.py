from __future__ import annotations

import math

import numpy as np
import pytest

from unetops.evaluation.contours import contour_metrics, discrete_frechet, frag, hausdorff


def test_frag_formula() -> None:
    assert frag(10, 10) == 1.0
    assert frag(15, 10) == pytest.approx(1 / (1 + (0.16 * 5) ** 2))


def test_frechet_and_hausdorff_hand_computed() -> None:
    a = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    b = a + np.array([0.0, 1.0])
    assert discrete_frechet(a, b) == pytest.approx(1.0)
    assert hausdorff(a, b) == pytest.approx(1.0)
    reversed_b = b[::-1]
    assert discrete_frechet(a, reversed_b) == pytest.approx(math.sqrt(5))  # order matters for Frechet
    assert hausdorff(a, reversed_b) == pytest.approx(1.0)  # but not for Hausdorff


def test_shifted_object_contours() -> None:
    truth = np.zeros((20, 20), np.int32)
    truth[5:10, 5:10] = 1
    prediction = np.roll(truth, 1, axis=1)
    m = contour_metrics(prediction, truth)
    assert m["contour_hausdorff"] == pytest.approx(1.0) and m["contour_frechet"] == pytest.approx(1.0)
    assert m["frag"] == 1.0


def test_no_matches() -> None:
    m = contour_metrics(np.zeros((5, 5), np.int32), np.zeros((5, 5), np.int32))
    assert math.isnan(m["contour_hausdorff"]) and m["frag"] == 1.0
