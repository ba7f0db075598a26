"""A model on held-out generated tissue: nuclei found, Ki-67 against truth, and brown taken for nuclei.

Tiles come from `tissue_tile` with seeds no sample uses (10,000 on) and a new stain draw per slide of 4 tiles,
so they are other slides, stains and scanners than the training ones. Per tile the model's nuclei go through
`measure_image` (the quantify path) and are matched to the exact truth. Printed: nucleus object F1 and PQ
(IoU 0.5), count error, Ki-67 error in pp against the truth over all nuclei and over tumour nuclei, false
nuclei per mm2 of pure cytoplasm and membrane (predicted nuclei whose centroid lies on a cytoplasm or membrane
pixel), and positivity accuracy of matched nuclei. Also the nucleus-likeness rule and the positivity rules on
true outlines, the figures their defaults were chosen on (the best accuracy on these held-out tiles).

    python benchmarks/tissue_heldout.py MODEL [--tiles 40]
"""

from __future__ import annotations

import argparse

import numpy as np

from unetops.evaluation.objects import match_objects, object_metrics
from unetops.model.backends import load_model
from unetops.model.segmenter import Segmenter
from unetops.quantify.config import QuantifyConfig
from unetops.quantify.features import compartment_stains
from unetops.quantify.instances import Nuclei
from unetops.quantify.run import measure_image
from unetops.sample.tissue import CYTOPLASM, MEMBRANE, StainDraw, tissue_tile

MPP = 0.5


def held_out_tiles(count: int):
    for index in range(count):
        rng = np.random.default_rng(10_000 + index)
        if index % 4 == 0:
            stain = StainDraw.draw(np.random.default_rng([10_000, index]))
        yield tissue_tile(rng, marker="ki67", positive_fraction=float(rng.uniform(0.05, 0.7)), stain=stain)


def rules_on_true_outlines(tiles, config: QuantifyConfig) -> None:
    nuclear, whole, truth = [], [], []
    for tile in tiles:
        stains = compartment_stains(tile.instances, tile.image, config, MPP)
        nuclear += list(stains["dab_od_nuclear"])
        whole += list(stains["dab_od_mean"])
        truth += [n.positive for n in tile.nuclei]
    truth = np.asarray(truth)
    print("positivity on true outlines (accuracy):")
    for threshold in (0.1, 0.15, 0.2, 0.25):
        print(f"  > {threshold:<4}  nuclear DAB {((np.asarray(nuclear) > threshold) == truth).mean():.3f}   "
              f"whole-nucleus mean {((np.asarray(whole) > threshold) == truth).mean():.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--tiles", type=int, default=40)
    args = parser.parse_args()
    config = QuantifyConfig()
    tiles = list(held_out_tiles(args.tiles))
    rules_on_true_outlines(tiles, config)
    segmenter = Segmenter(load_model(args.model, "onnx"))
    f1, pq, count_error, positivity = [], [], [], []
    found = dict.fromkeys(
        ("true", "true_positive", "pred", "pred_positive", "pred_scored", "tumour", "tumour_positive"), 0
    )
    false_on_brown, brown_mm2 = 0, 0.0
    for tile in tiles:
        labels, features, summary = measure_image(tile.image, Nuclei.of(segmenter.segment(tile.image)), config, MPP)
        metrics = object_metrics(labels, tile.instances)
        f1.append(metrics["object_f1"])
        pq.append(metrics["pq"])
        count_error.append(abs(summary["nuclei"] - len(tile.nuclei)) / max(len(tile.nuclei), 1))
        truth_positive = {n.label: n.positive for n in tile.nuclei}
        called = dict(zip(features["id"], features["positive"], strict=True))
        positivity += [called[p] == truth_positive[t] for t, p, _ in match_objects(labels, tile.instances)]
        found["true"] += len(tile.nuclei)
        found["true_positive"] += sum(truth_positive.values())
        tumour = [n for n in tile.nuclei if n.cell_class == "tumour"]
        found["tumour"] += len(tumour)
        found["tumour_positive"] += sum(n.positive for n in tumour)
        found["pred"] += summary["nuclei"]
        found["pred_positive"] += summary.get("positive", 0)
        found["pred_scored"] += summary.get("positive", 0) + summary.get("negative", 0)
        brown = np.isin(tile.compartments, (CYTOPLASM, MEMBRANE))
        rows, cols = features["centroid_y"].astype(int), features["centroid_x"].astype(int)
        false_on_brown += int(brown[rows, cols].sum())
        brown_mm2 += brown.sum() * (MPP / 1000) ** 2
    truth_index = 100 * found["true_positive"] / found["true"]
    tumour_index = 100 * found["tumour_positive"] / found["tumour"]
    index = 100 * found["pred_positive"] / max(found["pred_scored"], 1)
    print(f"held-out tiles: {len(tiles)} (256 x 256 at {MPP} um/px), {found['true']} true nuclei")
    print(f"object F1 {np.mean(f1):.3f}   PQ {np.mean(pq):.3f}   count error {100 * np.mean(count_error):.1f}%")
    print(f"Ki-67 index {index:.1f}%: truth {truth_index:.1f}% over all nuclei ({index - truth_index:+.1f} pp), "
          f"{tumour_index:.1f}% over tumour nuclei ({index - tumour_index:+.1f} pp)")  # fmt: skip
    print(f"positivity of matched nuclei: accuracy {np.mean(positivity):.3f}")
    print(f"nuclei found on cytoplasm or membrane: {false_on_brown / brown_mm2:.0f} per mm2 ({brown_mm2:.3f} mm2)")


if __name__ == "__main__":
    main()
