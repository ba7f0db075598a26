"""A model measured on held-out generated tissue with exact truth: nuclei found, the index against the truth,
positivity of matched nuclei, and brown cytoplasm or membrane taken for nuclei.

Tiles come from `tissue_tile` with seeds no sample uses (10,000 on) and a new stain draw per 4 tiles (a slide),
so they are other slides, stains and scanners than the training ones. Each tile goes through `measure_image`,
the path `unetops quantify` takes, and is matched to the truth at IoU 0.5.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from unetops.evaluation.objects import match_objects, object_metrics
from unetops.model.backends import LoadedModel
from unetops.model.segmenter import Segmenter
from unetops.quantify.config import QuantifyConfig
from unetops.quantify.instances import Nuclei
from unetops.quantify.run import measure_image
from unetops.sample.tissue import CYTOPLASM, MEMBRANE, StainDraw, TissueTile, tissue_tile

HELD_OUT_SEED = 10_000
HELD_OUT_MPP = 0.5


def held_out_tiles(
    count: int, mpp: float = HELD_OUT_MPP, spread: float = 1.0, seed: int = HELD_OUT_SEED
) -> Iterator[TissueTile]:
    """`count` Ki-67 tiles of 256 x 256 px from seeds `seed` on, 4 per stain draw (`StainDraw.draw`'s `spread`),
    positive fractions from 5% to 70%."""
    for index in range(count):
        rng = np.random.default_rng(seed + index)
        if index % 4 == 0:
            stain = StainDraw.draw(np.random.default_rng([seed, index]), spread)
        yield tissue_tile(rng, mpp=mpp, marker="ki67", positive_fraction=float(rng.uniform(0.05, 0.7)), stain=stain)


def held_out_figures(model: LoadedModel, tiles: list[TissueTile], config: QuantifyConfig, mpp: float) -> dict[str, Any]:
    """Object F1 and PQ (means over tiles), count error, the index against the truth over all and over tumour
    nuclei (pp), positivity accuracy of matched nuclei, and nuclei found per mm2 of pure cytoplasm or membrane
    (predicted nuclei whose centroid lies on a cytoplasm or membrane pixel)."""
    segmenter = Segmenter(model)
    f1, pq, count_error, positivity = [], [], [], []
    found = dict.fromkeys(("true", "true_positive", "scored", "positive", "tumour", "tumour_positive"), 0)
    on_brown, brown_mm2 = 0, 0.0
    for tile in tiles:
        labels, features, summary = measure_image(tile.image, Nuclei.of(segmenter.segment(tile.image)), config, mpp)
        metrics = object_metrics(labels, tile.instances)
        f1.append(metrics["object_f1"])
        pq.append(metrics["pq"])
        count_error.append(abs(summary["nuclei"] - len(tile.nuclei)) / max(len(tile.nuclei), 1))
        truth = {n.label: n.positive for n in tile.nuclei}
        called = dict(zip(features["id"], features["positive"], strict=True))
        positivity += [called[p] == truth[t] for t, p, _ in match_objects(labels, tile.instances)]
        tumour = [n.positive for n in tile.nuclei if n.cell_class == "tumour"]
        found["true"] += len(truth)
        found["true_positive"] += sum(truth.values())
        found["tumour"] += len(tumour)
        found["tumour_positive"] += sum(tumour)
        found["positive"] += summary.get("positive", 0)
        found["scored"] += summary.get("positive", 0) + summary.get("negative", 0)
        brown = np.isin(tile.compartments, (CYTOPLASM, MEMBRANE))
        on_brown += int(brown[features["centroid_y"].astype(int), features["centroid_x"].astype(int)].sum())
        brown_mm2 += brown.sum() * (mpp / 1000) ** 2
    index = 100 * found["positive"] / max(found["scored"], 1)
    truth_index = 100 * found["true_positive"] / max(found["true"], 1)
    tumour_index = 100 * found["tumour_positive"] / max(found["tumour"], 1)
    return {
        "tiles": len(tiles),
        "mpp": mpp,
        "true_nuclei": found["true"],
        "object_f1": float(np.mean(f1)),
        "pq": float(np.mean(pq)),
        "count_error_percent": 100 * float(np.mean(count_error)),
        "index": index,
        "true_index": truth_index,
        "index_error_pp": index - truth_index,
        "true_tumour_index": tumour_index,
        "tumour_index_error_pp": index - tumour_index,
        "positivity_accuracy": float(np.mean(positivity)) if positivity else float("nan"),
        "nuclei_on_brown_per_mm2": on_brown / brown_mm2 if brown_mm2 else float("nan"),
        "brown_mm2": brown_mm2,
    }
