"""Reasons read from an image and the nuclei found in it for giving no index: a stain the index does not apply
to (H&E), or nuclei the objects found leave out (a model that sees only some of them would count a biased few).
`quantify` (per image) and `slide quantify` (per tile) ask the same questions here."""

from __future__ import annotations

import numpy as np
from skimage.filters import threshold_otsu
from skimage.segmentation import expand_labels

from unetops.preprocess.deconvolution import deconvolve, residual_fraction
from unetops.quantify.config import QuantifyConfig

STAINED_OD = 0.05  # hematoxylin OD above which a pixel holds counterstain at all
MIN_STAINED_SHARE = 0.02  # images with less of that (glass, fat, lumen) are not judged on coverage


def hematoxylin_coverage(labels: np.ndarray, hematoxylin: np.ndarray, grow: int) -> float | None:
    """The share of the image's hematoxylin-rich pixels (above the Otsu threshold of its stained pixels: nuclei,
    against counterstained cytoplasm and stroma) that lie within `grow` pixels of an object found; None when the
    image holds too little hematoxylin to judge."""
    stained = hematoxylin[hematoxylin > STAINED_OD]
    if stained.size < MIN_STAINED_SHARE * hematoxylin.size or np.ptp(stained) == 0:
        return None
    rich = hematoxylin > threshold_otsu(stained)
    near = expand_labels(labels, grow) > 0 if grow else labels > 0
    return float((rich & near).sum() / max(int(rich.sum()), 1))


def coverage_refusals(
    image: np.ndarray, labels: np.ndarray, config: QuantifyConfig, pixel_size: float | None
) -> list[str]:
    """Why the objects found give no index: they take in too little of the image's hematoxylin-rich area, so most
    nuclei were missed (a model meeting tissue unlike its training data), and the few found are no sample."""
    if image.ndim != 3 or image.shape[2] != 3 or not labels.any():
        return []  # no nuclei at all is said by the summary
    hematoxylin = deconvolve(image, config.stains)[0]
    coverage = hematoxylin_coverage(labels, hematoxylin, config.um_pixels(config.coverage_grow_um, pixel_size))
    if coverage is None or coverage >= config.min_hematoxylin_coverage:
        return []
    return [
        f"the objects found take in only {100 * coverage:.0f}% of the image's hematoxylin-rich area (at least "
        f"{100 * config.min_hematoxylin_coverage:.0f}% needed): most nuclei were missed, so the ones found are no "
        "fair sample (a model not trained on tissue like this?)"
    ]


def stain_refusals(image: np.ndarray, config: QuantifyConfig) -> list[str]:
    """Why an image's stain gives no DAB index: eosin in it (H&E, whose pink and purple deconvolve partly as DAB)."""
    if image.ndim != 3 or image.shape[2] != 3:
        return []
    eosin = residual_fraction(image, config.stains)
    if eosin <= config.max_eosin_fraction:
        return []
    return [
        f"the image looks like H&E, not IHC (eosin holds {100 * eosin:.0f}% of the tissue's stain, IHC almost none; "
        f"limit {100 * config.max_eosin_fraction:.0f}%): H&E's colours would be read as DAB"
    ]


def image_refusals(
    image: np.ndarray, labels: np.ndarray, config: QuantifyConfig, pixel_size: float | None
) -> list[str]:
    """Every reason from the image's stain and its coverage by the objects found."""
    return [*stain_refusals(image, config), *coverage_refusals(image, labels, config, pixel_size)]
