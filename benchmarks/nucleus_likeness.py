"""The two checks that keep an index from being read off objects that are not the nuclei, and their limits:

1. nucleus-likeness (`min_hematoxylin_contrast`): an object's hematoxylin above that of a ring around it. Measured
   on the true nuclei of validation tiles and on nucleus-sized discs laid on their brown cytoplasm and membranes
   (what a model that learnt "brown blob" outlines); the threshold with the best balanced accuracy is printed.
2. coverage (`min_hematoxylin_coverage`): the share of the image's hematoxylin-rich area that the objects found
   take in. Measured with the true nuclei, and with a quarter, half and three quarters of them left out; the
   limit is the median coverage with half of them left out ("most nuclei missed").

Validation tiles are `held_out_tiles` from seed 40,000 (neither the sample's seeds nor the starter's test seeds),
under the sample's stain ranges and twice those. Then both checks on the real IHC image with a model (default:
the starter model), for what they say on real tissue.

    python benchmarks/nucleus_likeness.py [MODEL] [--tiles 40]
"""

from __future__ import annotations

import argparse

import numpy as np
from skimage import data
from skimage.draw import disk
from skimage.segmentation import expand_labels

from unetops.model.backends import load_model
from unetops.model.segmenter import Segmenter
from unetops.preprocess.deconvolution import deconvolve
from unetops.quantify.config import QuantifyConfig
from unetops.quantify.features import compartment_stains
from unetops.quantify.instances import Nuclei, nucleus_instances
from unetops.quantify.refusals import hematoxylin_coverage
from unetops.sample.tissue import CYTOPLASM, MEMBRANE, TissueTile
from unetops.starter import starter_model
from unetops.starter.heldout import HELD_OUT_MPP, held_out_tiles

VALIDATION_SEED = 40_000


def brown_discs(tile: TissueTile, rng: np.random.Generator, mpp: float, tries: int = 200) -> np.ndarray:
    """Labels of nucleus-sized discs (3-6 um radius) lying on cytoplasm or membrane, touching no nucleus."""
    brown = np.isin(tile.compartments, (CYTOPLASM, MEMBRANE))
    free = brown & ~(expand_labels(tile.instances, 1) > 0)
    labels = np.zeros(brown.shape, np.int32)
    where = np.argwhere(brown)
    for centre in where[rng.integers(len(where), size=tries)] if len(where) else ():
        rows, cols = disk(tuple(centre), rng.uniform(3, 6) / mpp, shape=brown.shape)
        if free[rows, cols].mean() > 0.8 and not labels[rows, cols].any():
            labels[rows, cols] = labels.max() + 1
    return labels


def likeness(tiles: list[TissueTile], config: QuantifyConfig) -> None:
    rng = np.random.default_rng(0)
    nuclei, discs = [], []
    for tile in tiles:
        nuclei += list(compartment_stains(tile.instances, tile.image, config, HELD_OUT_MPP)["hematoxylin_contrast"])
        fake = brown_discs(tile, rng, HELD_OUT_MPP)
        if fake.any():
            discs += list(compartment_stains(fake, tile.image, config, HELD_OUT_MPP)["hematoxylin_contrast"])
    nuclei, discs = np.asarray(nuclei), np.asarray(discs)
    print(f"nucleus-likeness: {len(nuclei)} true nuclei, {len(discs)} discs on brown cytoplasm and membranes")
    print("  contrast >   nuclei kept   discs kept   balanced accuracy")
    best, best_score = 0.0, -1.0
    for threshold in np.round(np.arange(0.0, 0.105, 0.01), 2):
        kept, fooled = (nuclei >= threshold).mean(), (discs >= threshold).mean()
        score = (kept + 1 - fooled) / 2
        print(f"  {threshold:<11g} {kept:11.3f} {fooled:12.3f} {score:19.3f}")
        best, best_score = (threshold, score) if score > best_score else (best, best_score)
    print(f"  best: {best:g} (default {config.min_hematoxylin_contrast:g})")


def coverage(tiles: list[TissueTile], config: QuantifyConfig) -> None:
    rng = np.random.default_rng(0)
    grow = config.um_pixels(config.coverage_grow_um, HELD_OUT_MPP)
    shares = {0.0: [], 0.25: [], 0.5: [], 0.75: []}
    for tile in tiles:
        hematoxylin = deconvolve(tile.image, config.stains)[0]
        for left_out, values in shares.items():
            ids = np.array([n.label for n in tile.nuclei])
            gone = rng.choice(ids, round(left_out * len(ids)), replace=False) if len(ids) else ids
            value = hematoxylin_coverage(np.where(np.isin(tile.instances, gone), 0, tile.instances), hematoxylin, grow)
            if value is not None:
                values.append(value)
    print("coverage of the hematoxylin-rich area (median, 5th and 95th percentile over tiles):")
    for left_out, values in shares.items():
        low, median, high = np.percentile(values, [5, 50, 95])
        print(f"  true nuclei, {100 * left_out:3.0f}% left out: {median:.2f} ({low:.2f}-{high:.2f})")
    print(f"  limit: {np.median(shares[0.5]):.2f} (default {config.min_hematoxylin_coverage:g})")


def real_ihc(model: str | None, config: QuantifyConfig) -> None:
    image = data.immunohistochemistry()
    labels = nucleus_instances(Nuclei.of(Segmenter(load_model(model or starter_model())).segment(image)), config)
    stains = compartment_stains(labels, image, config, None)
    hematoxylin = deconvolve(image, config.stains)[0]
    found = hematoxylin_coverage(labels, hematoxylin, config.um_pixels(config.coverage_grow_um, None))
    print(f"real IHC ({model or 'starter model'}): {labels.max()} objects, "
          f"{(stains['hematoxylin_contrast'] >= config.min_hematoxylin_contrast).mean():.0%} nucleus-like, "
          f"coverage {found:.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="model folder or file for the real image (default: the starter)")
    parser.add_argument("--tiles", type=int, default=40)
    args = parser.parse_args()
    config = QuantifyConfig()
    tiles = [tile for spread in (1.0, 2.0) for tile in held_out_tiles(args.tiles, spread=spread, seed=VALIDATION_SEED)]
    likeness(tiles, config)
    coverage(tiles, config)
    real_ihc(args.model, config)


if __name__ == "__main__":
    main()
