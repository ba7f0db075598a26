"""`evaluate_model`: every metric for every image of a dataset split, with bootstrap confidence intervals."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from unetops.errors import DatasetError
from unetops.evaluation.contours import CONTOUR_METRICS, contour_metrics
from unetops.evaluation.definitions import small_sample_note
from unetops.evaluation.objects import OBJECT_METRICS, object_metrics
from unetops.evaluation.pixel import PIXEL_METRICS, pixel_metrics
from unetops.imageio import image_to_uint8, read_image
from unetops.imageio.masks import connected_components, read_mask
from unetops.model.backends import LoadedModel
from unetops.model.segmenter import Segmenter
from unetops.spec.manifest import read_manifest

METRICS = PIXEL_METRICS + OBJECT_METRICS + CONTOUR_METRICS
ERROR_COLOURS = {"true_positive": (235, 235, 235), "false_positive": (230, 40, 40), "false_negative": (40, 90, 230)}


@dataclass
class ImageEvaluation:
    """One image's metrics and the pictures the report shows."""

    name: str
    metrics: dict[str, float]
    image: np.ndarray
    truth: np.ndarray
    prediction: np.ndarray
    errors: np.ndarray


def error_map(prediction: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """RGB: true positives light grey, false positives red, false negatives blue, background black."""
    out = np.zeros((*truth.shape, 3), np.uint8)
    out[prediction & truth] = ERROR_COLOURS["true_positive"]
    out[prediction & ~truth] = ERROR_COLOURS["false_positive"]
    out[~prediction & truth] = ERROR_COLOURS["false_negative"]
    return out


def bootstrap_interval(values: list[float], *, resamples: int = 1000, seed: int = 0) -> tuple[float, float]:
    """95% percentile-bootstrap interval of the mean (NaN values left out)."""
    array = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    if array.size == 0:
        return math.nan, math.nan
    means = np.random.default_rng(seed).choice(array, size=(resamples, array.size), replace=True).mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def summarise_metrics(rows: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Mean, median and bootstrap 95% interval of every metric over images (NaN values left out)."""
    summary = {}
    for name in METRICS:
        values = [row[name] for row in rows if not math.isnan(row[name])]
        low, high = bootstrap_interval(values)
        summary[name] = {
            "mean": float(np.mean(values)) if values else math.nan,
            "median": float(np.median(values)) if values else math.nan,
            "ci95_low": low,
            "ci95_high": high,
            "images": len(values),
        }
    return summary


def evaluate_model(
    model: LoadedModel,
    dataset: Path,
    *,
    split: str = "test",
    tta: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[list[ImageEvaluation], dict[str, Any]]:
    """Predict every image of a split of a built dataset and measure it against its mask.

    Instances: the dataset's instance labels (else connected components of the true mask); predicted instances
    are an instance model's own, or the connected components of a binary model's mask.

    Returns:
        One evaluation per image, in manifest order, and the summary over images.
    """
    manifest = read_manifest(dataset)
    items = [item for item in manifest.items if item.split == split]
    if not items:
        raise DatasetError(f"the dataset has no {split!r} images", path=dataset, fix="choose another --split")
    if on_start:
        on_start(len(items))
    segmenter = Segmenter(model, tta=tta)
    results = []
    for item in items:
        image = image_to_uint8(read_image(dataset / item.image))
        truth = read_mask(dataset / item.mask)
        segmentation = segmenter.segment(image, prepared=True)
        prediction = segmentation.mask
        true_instances = (
            read_image(dataset / item.instances, mask=True).array.astype(np.int32)
            if item.instances
            else connected_components(truth)
        )
        predicted_instances = (
            segmentation.instances if segmentation.instances is not None else connected_components(prediction)
        )
        metrics = {
            **pixel_metrics(prediction, truth),
            **object_metrics(predicted_instances, true_instances),
            **contour_metrics(predicted_instances, true_instances),
        }
        results.append(ImageEvaluation(item.name, metrics, image, truth, prediction, error_map(prediction, truth)))
        if on_progress:
            on_progress(1)
    summary = {
        "dataset_version": manifest.version,
        "split": split,
        "images": len(results),
        "model": str(model.path),
        "backend": model.backend.value,
        "tta": tta,
        "metrics": summarise_metrics([r.metrics for r in results]),
        "note": small_sample_note(len(results)),
    }
    return results, summary


def evaluate_splits(
    model: LoadedModel,
    dataset: Path,
    splits: list[str],
    *,
    tta: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[tuple[list[ImageEvaluation], dict[str, Any]]]:
    """`evaluate_model` for each of `splits` that holds images (at least one must), in the order given."""
    manifest = read_manifest(dataset)
    present = [split for split in splits if any(item.split == split for item in manifest.items)]
    if not present:
        raise DatasetError(
            f"the dataset has no images in {', '.join(map(repr, splits))}", path=dataset, fix="choose another --split"
        )
    if on_start:
        on_start(sum(item.split in present for item in manifest.items))
    return [evaluate_model(model, dataset, split=split, tta=tta, on_progress=on_progress) for split in present]
