"""The contour comparators of the papers this project started from: Hausdorff and discrete Frechet
distances between matched object contours, and FRAG, the fragmentation score of the object counts."""

from __future__ import annotations

import math

import cv2
import numpy as np
from scipy.spatial.distance import cdist, directed_hausdorff

from unetops.evaluation.objects import match_objects, relabel

CONTOUR_METRICS = ("contour_hausdorff", "contour_frechet", "frag")
MAX_CONTOUR_POINTS = 64


def object_contour(labels: np.ndarray, label: int) -> np.ndarray:
    """The outer contour (N, 2) of one object as (x, y) points, subsampled to at most 64 points."""
    contours, _ = cv2.findContours((labels == label).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    points = max(contours, key=len)[:, 0, :].astype(np.float64)
    step = max(1, math.ceil(len(points) / MAX_CONTOUR_POINTS))
    return points[::step]


def hausdorff(a: np.ndarray, b: np.ndarray) -> float:
    """Symmetric Hausdorff distance between two point sets."""
    return max(directed_hausdorff(a, b)[0], directed_hausdorff(b, a)[0])


def discrete_frechet(a: np.ndarray, b: np.ndarray) -> float:
    """Discrete Frechet distance between two polylines (Eiter & Mannila 1994), dynamic programming."""
    distance = cdist(a, b)
    coupling = np.full(distance.shape, np.inf)
    for i in range(len(a)):
        for j in range(len(b)):
            if i == 0 and j == 0:
                previous = 0.0
            elif i == 0:
                previous = coupling[0, j - 1]
            elif j == 0:
                previous = coupling[i - 1, 0]
            else:
                previous = min(coupling[i - 1, j], coupling[i - 1, j - 1], coupling[i, j - 1])
            coupling[i, j] = max(previous, distance[i, j])
    return float(coupling[-1, -1])


def frag(count_segmented: int, count_reference: int) -> float:
    """FRAG = 1 / (1 + (0.16 * |N_seg - N_ref|)^2): 1 for equal counts, falling with fragmentation."""
    return 1.0 / (1.0 + (0.16 * abs(count_segmented - count_reference)) ** 2)


def contour_metrics(prediction: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Mean Hausdorff and Frechet distances over matched objects (NaN without matches), and FRAG."""
    prediction, truth = relabel(prediction), relabel(truth)
    matches = match_objects(prediction, truth)
    pairs = [(object_contour(truth, t), object_contour(prediction, p)) for t, p, _ in matches]
    return {
        "contour_hausdorff": float(np.mean([hausdorff(a, b) for a, b in pairs])) if pairs else math.nan,
        "contour_frechet": float(np.mean([discrete_frechet(a, b) for a, b in pairs])) if pairs else math.nan,
        "frag": frag(int(prediction.max()), int(truth.max())),
    }
