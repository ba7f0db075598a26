"""Per-image summaries: counts, density, sizes, Ki-67 labelling index, area index, H-score, Allred score, or
for a membrane marker (HER2) the membrane score distribution and the image's HER2 score."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from unetops.quantify.config import QuantifyConfig
from unetops.quantify.membrane import her2_score

ALLRED_PROPORTION = ((0.0, 0), (1.0, 1), (10.0, 2), (100 / 3, 3), (200 / 3, 4))  # (% positive above, score)


def allred_proportion(percent_positive: float) -> int:
    """Allred proportion score: 0 none, 1 <1%, 2 1-10%, 3 10-33%, 4 33-66%, 5 >66%."""
    if percent_positive <= 0:
        return 0
    score = 1
    for bound, value in ALLRED_PROPORTION[1:]:
        if percent_positive >= bound:
            score = value + 1
    return score


MEASURED, NOT_MEASURED = "measured", "not measured"
STAINED_SCORES = ("ki67_index", "area_index", "h_score", "allred_proportion", "allred_intensity", "allred_total")


def index_refusals(features: dict[str, np.ndarray], keep: np.ndarray, config: QuantifyConfig) -> list[str]:
    """Why the objects found give no index: none found, or too few of them look like nuclei."""
    count = int(keep.sum())
    if not count:
        return ["no nuclei found"]
    if "nucleus_like" not in features:
        return []
    like = float(features["nucleus_like"][keep].mean())
    if like < config.min_nucleus_like:
        return [
            f"only {100 * like:.0f}% of the {count} objects found look like nuclei (hematoxylin above their "
            f"surroundings by {config.min_hematoxylin_contrast:g} OD and at least {config.min_nucleus_width_um:g} um "
            f"wide; at least {100 * config.min_nucleus_like:.0f}% "
            "needed): brown cytoplasm, membranes or noise taken for nuclei?"
        ]
    return []


def image_summary(
    features: dict[str, np.ndarray],
    shape: tuple[int, int],
    config: QuantifyConfig,
    pixel_size: float | None,
    refusals: list[str] | tuple[str, ...] = (),
) -> dict[str, Any]:
    """The per-image numbers a pathologist reads, from one image's nucleus features: for a nuclear marker the
    labelling index, H-score and Allred score; for a membrane marker (HER2) the cells' membrane scores and the
    image's 0 / 1+ / 2+ / 3+.

    They are `not measured` (NaN, `index_status` and `index_note` say why) when
    the source refuses the input (`refusals`, such as a model's drift limit) or `index_refusals` finds a reason.
    """
    keep = ~features["touches_border"] if config.exclude_border else np.ones(len(features["id"]), bool)
    count = int(keep.sum())
    area = features["area"][keep].astype(float)
    summary: dict[str, Any] = {
        "nuclei": count,
        "excluded_at_border": int((~keep).sum()),
        "area_mean": float(area.mean()) if count else math.nan,
        "area_median": float(np.median(area)) if count else math.nan,
        "area_std": float(area.std()) if count else math.nan,
        "low_count": count < config.min_nuclei,
    }
    if pixel_size is not None:
        field_mm2 = shape[0] * shape[1] * (pixel_size / 1000) ** 2
        summary["density_per_mm2"] = count / field_mm2
        summary["area_mean_um2"] = summary["area_mean"] * pixel_size**2
    if "positive" not in features:
        summary["index_note"] = "grayscale image: no DAB stain to measure, so no Ki-67 index (it needs RGB brightfield)"
        return summary
    nucleus_like = features.get("nucleus_like", np.ones(len(keep), bool))
    like, scored = nucleus_like[keep], keep & nucleus_like  # objects unlike nuclei never count
    reasons = [*refusals, *index_refusals(features, keep, config)]
    if config.compartment == "membrane":
        summary.update(membrane_summary(features, scored, count, config, pixel_size))
    else:
        summary.update(nuclear_summary(features, scored, count, config, pixel_size))
    summary["dab_od_mean"] = float(features["dab_od_mean"][keep].mean()) if count else math.nan
    summary["nucleus_like_fraction"] = float(like.mean()) if count else math.nan
    summary["index_status"] = NOT_MEASURED if reasons else MEASURED
    if reasons:
        summary.update({key: math.nan for key in STAINED_SCORES if key in summary})
        summary.update({"her2_score": NOT_MEASURED} if "her2_score" in summary else {})
        what = "HER2 score" if config.compartment == "membrane" else "index"
        summary["index_note"] = f"{what} not measured: " + "; ".join(reasons)
    return summary


def membrane_summary(
    features: dict[str, np.ndarray], scored: np.ndarray, count: int, config: QuantifyConfig, pixel_size: float | None
) -> dict[str, Any]:
    """A membrane marker's numbers (HER2): the cells' 0 / 1+ / 2+ / 3+ distribution and the image's score."""
    scores = features["membrane_score"][scored]
    complete = features["membrane_completeness"][scored] >= config.membrane_complete
    return {
        "positive": int((scores >= 1).sum()),
        "negative": int((scores == 0).sum()),
        "not_nucleus_like": count - int(scored.sum()),
        **her2_score(scores),
        "membrane_complete_percent": 100.0 * float(complete.mean()) if scores.size else math.nan,
        "positivity": config.positivity_rule(pixel_size),
    }


def nuclear_summary(
    features: dict[str, np.ndarray], scored: np.ndarray, count: int, config: QuantifyConfig, pixel_size: float | None
) -> dict[str, Any]:
    """A nuclear marker's numbers (Ki-67, ER, PR): labelling index, area index, H-score, Allred."""
    scored_count = int(scored.sum())
    positive = features["positive"][scored]
    bins = features["intensity_bin"][scored]
    scored_area = features["area"][scored].astype(float)
    percent = {b: (100.0 * float((bins == b).mean()) if scored_count else 0.0) for b in (1, 2, 3)}
    positive_percent = 100.0 * float(positive.mean()) if scored_count else math.nan
    mean_positive_od = float(features["dab_od_nuclear"][scored][positive].mean()) if positive.any() else 0.0
    intensity_score = int(np.searchsorted(np.asarray(config.intensity_cutoffs), mean_positive_od, side="right"))
    proportion_score = allred_proportion(positive_percent if scored_count else 0.0)
    return {
        "positive": int(positive.sum()),
        "negative": int(scored_count - positive.sum()),
        "not_nucleus_like": count - scored_count,
        "ki67_index": positive_percent,
        "area_index": 100.0 * float(scored_area[positive].sum() / scored_area.sum()) if scored_count else math.nan,
        "h_score": percent[1] + 2 * percent[2] + 3 * percent[3],
        "percent_1plus": percent[1],
        "percent_2plus": percent[2],
        "percent_3plus": percent[3],
        "allred_proportion": proportion_score,
        "allred_intensity": intensity_score,
        "allred_total": proportion_score + intensity_score if proportion_score else 0,
        "positivity": config.positivity_rule(pixel_size),
    }
