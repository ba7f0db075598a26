"""What each evaluation metric means: its definition, whether higher or lower is better, and its unit."""

from __future__ import annotations

from typing import NamedTuple

MIN_IMAGES_FOR_INTERVALS = 10  # below this, a bootstrap interval of the mean says little


class MetricInfo(NamedTuple):
    definition: str
    better: str  # "higher", "lower" or "" (a count, neither)
    unit: str


METRIC_INFO: dict[str, MetricInfo] = {
    "dice": MetricInfo("pixel overlap 2|P and T| / (|P| + |T|)", "higher", "0-1"),
    "iou": MetricInfo("pixel overlap |P and T| / |P or T| (Jaccard)", "higher", "0-1"),
    "precision": MetricInfo("predicted pixels that are nucleus, |P and T| / |P|", "higher", "0-1"),
    "recall": MetricInfo("nucleus pixels found, |P and T| / |T|", "higher", "0-1"),
    "hd95": MetricInfo("95th-percentile distance between the mask boundaries", "lower", "pixels"),
    "object_f1": MetricInfo("F1 of nuclei matched one-to-one at IoU > 0.5", "higher", "0-1"),
    "aji": MetricInfo("Aggregated Jaccard Index over nuclei (Kumar et al. 2017)", "higher", "0-1"),
    "ap50": MetricInfo("TP / (TP + FP + FN) of nuclei matched at IoU > 0.5 (DSB 2018)", "higher", "0-1"),
    "map": MetricInfo("mean of that average precision over IoU 0.5, 0.55, ..., 0.95 (DSB 2018)", "higher", "0-1"),
    "pq": MetricInfo("panoptic quality at IoU 0.5: segmentation x recognition quality", "higher", "0-1"),
    "sq": MetricInfo("segmentation quality: mean IoU of the matched nuclei", "higher", "0-1"),
    "rq": MetricInfo("recognition quality: TP / (TP + FP/2 + FN/2), the F1 of the matching", "higher", "0-1"),
    "splits": MetricInfo("true nuclei cut into two or more predicted ones", "lower", "nuclei"),
    "merges": MetricInfo("predicted nuclei that join two or more true ones", "lower", "nuclei"),
    "count_error": MetricInfo("|predicted nuclei - true nuclei|", "lower", "nuclei"),
    "count_predicted": MetricInfo("nuclei predicted", "", "nuclei"),
    "count_true": MetricInfo("nuclei in the ground truth", "", "nuclei"),
    "contour_hausdorff": MetricInfo("Hausdorff distance between matched nuclei's contours", "lower", "pixels"),
    "contour_frechet": MetricInfo("discrete Frechet distance between matched nuclei's contours", "lower", "pixels"),
    "frag": MetricInfo("1 / (1 + (0.16 |N_pred - N_true|)^2): 1 for equal counts", "higher", "0-1"),
}


def small_sample_note(images: int) -> str | None:
    """A warning for a summary over fewer than `MIN_IMAGES_FOR_INTERVALS` images, else None."""
    if images >= MIN_IMAGES_FOR_INTERVALS:
        return None
    return (
        f"only {images} image{'s' if images != 1 else ''}: means and 95% intervals from fewer than "
        f"{MIN_IMAGES_FOR_INTERVALS} images are not reliable; evaluate on more images"
    )
