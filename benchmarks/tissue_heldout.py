"""A model on held-out generated tissue: nuclei found, Ki-67 against truth, and brown taken for nuclei.

Tiles come from `tissue_tile` with seeds no sample uses (10,000 on) and a new stain draw per slide of 4 tiles,
so they are other slides, stains and scanners than the training ones. Per tile the model's nuclei go through
`measure_image` (the quantify path) and are matched to the exact truth. Printed: nucleus object F1 and PQ
(IoU 0.5), count error, Ki-67 error in pp against the truth over all nuclei and over tumour nuclei, false
nuclei per mm2 of pure cytoplasm and membrane (predicted nuclei whose centroid lies on a cytoplasm or membrane
pixel), and positivity accuracy of matched nuclei. Also the nucleus-likeness rule and the positivity rules on
true outlines, the figures their defaults were chosen on (the best accuracy on these held-out tiles).

    python benchmarks/tissue_heldout.py MODEL [--tiles 40] [--json figures.json] [--spread 2]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from unetops.model.backends import load_model
from unetops.quantify.config import QuantifyConfig
from unetops.quantify.features import compartment_stains
from unetops.starter.heldout import HELD_OUT_MPP, held_out_figures, held_out_tiles


def rules_on_true_outlines(tiles, config: QuantifyConfig) -> None:
    nuclear, whole, truth = [], [], []
    for tile in tiles:
        stains = compartment_stains(tile.instances, tile.image, config, HELD_OUT_MPP)
        nuclear += list(stains["dab_od_nuclear"])
        whole += list(stains["dab_od_mean"])
        truth += [n.positive for n in tile.nuclei]
    truth = np.asarray(truth)
    print("positivity on true outlines (accuracy):")
    for threshold in (0.1, 0.15, 0.2, 0.25):
        print(f"  > {threshold:<4}  nuclear DAB {((np.asarray(nuclear) > threshold) == truth).mean():.3f}   "
              f"whole-nucleus mean {((np.asarray(whole) > threshold) == truth).mean():.3f}")  # fmt: skip


def report(figures: dict) -> None:
    """The figures in words."""
    f = figures
    print(f"held-out tiles: {f['tiles']} (256 x 256 at {f['mpp']} um/px), {f['true_nuclei']} true nuclei")
    print(f"object F1 {f['object_f1']:.3f}   PQ {f['pq']:.3f}   count error {f['count_error_percent']:.1f}%")
    print(f"Ki-67 index {figures['index']:.1f}%: truth {figures['true_index']:.1f}% over all nuclei "
          f"({figures['index_error_pp']:+.1f} pp), {figures['true_tumour_index']:.1f}% over tumour nuclei "
          f"({figures['tumour_index_error_pp']:+.1f} pp)")  # fmt: skip
    print(f"positivity of matched nuclei: accuracy {figures['positivity_accuracy']:.3f}")
    print(f"nuclei found on cytoplasm or membrane: {figures['nuclei_on_brown_per_mm2']:.0f} per mm2 "
          f"({figures['brown_mm2']:.3f} mm2)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--tiles", type=int, default=40)
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--spread", type=float, default=1.0, help="stain ranges x this (2: other labs, scanners)")
    args = parser.parse_args()
    config = QuantifyConfig()
    tiles = list(held_out_tiles(args.tiles, spread=args.spread))
    rules_on_true_outlines(tiles, config)
    figures = held_out_figures(load_model(args.model, "onnx"), tiles, config, HELD_OUT_MPP)
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
