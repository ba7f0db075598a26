"""The two checks that keep an index from being read off objects that are not the nuclei, and their limits:

1. nucleus-likeness (`min_hematoxylin_contrast`): an object's hematoxylin above that of a ring around it. Measured
   on the true nuclei of validation tiles and on nucleus-sized discs laid on their brown cytoplasm and membranes
   (what a model that learnt "brown blob" outlines); the threshold with the best balanced accuracy is printed.
2. width (`min_nucleus_width_um`): an object's minor axis. Measured on the same true nuclei and on the pieces of
   brown membrane that such discs cut out (a model outlining a membrane between cells: thin, and on real IHC
   bluish enough to pass check 1); the limit is the widest that keeps 99% of the true nuclei (thin stroma
   nuclei must not be lost to it; the membrane pieces the generator cuts are wider than real ones, so balanced
   accuracy would push it into the nuclei).
3. coverage (`min_hematoxylin_coverage`): the share of the image's hematoxylin-rich area that the objects found
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
from skimage.measure import regionprops_table
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
KEEP_NUCLEI = 0.99


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


def membrane_pieces(tile: TissueTile, rng: np.random.Generator, mpp: float, tries: int = 200) -> np.ndarray:
    """Labels of the pieces of membrane that nucleus-sized discs (3-6 um radius) cut out, touching no nucleus."""
    membrane = (tile.compartments == MEMBRANE) & ~(expand_labels(tile.instances, 1) > 0)
    labels = np.zeros(membrane.shape, np.int32)
    where = np.argwhere(membrane)
    for centre in where[rng.integers(len(where), size=tries)] if len(where) else ():
        rows, cols = disk(tuple(centre), rng.uniform(3, 6) / mpp, shape=membrane.shape)
        piece = membrane[rows, cols]
        if piece.sum() >= QuantifyConfig().min_area_pixels(mpp) and not labels[rows, cols].any():
            labels[rows[piece], cols[piece]] = labels.max() + 1
    return labels


def best_threshold(name: str, unit: str, truth: np.ndarray, fake: np.ndarray, thresholds: np.ndarray) -> float:
    """Print how many true and fake objects each threshold keeps; the one with the best balanced accuracy."""
    print(f"  {name} >=   nuclei kept   fakes kept   balanced accuracy")
    best, best_score = 0.0, -1.0
    for threshold in thresholds:
        kept, fooled = (truth >= threshold).mean(), (fake >= threshold).mean()
        score = (kept + 1 - fooled) / 2
        print(f"  {threshold:<5g}{unit:<4} {kept:11.3f} {fooled:12.3f} {score:19.3f}")
        best, best_score = (threshold, score) if score > best_score else (best, best_score)
    return float(best)


def minor_axes_um(labels: np.ndarray) -> list[float]:
    return list(regionprops_table(labels, properties=("axis_minor_length",))["axis_minor_length"] * HELD_OUT_MPP)


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
    best = best_threshold("contrast", "", nuclei, discs, np.round(np.arange(0.0, 0.105, 0.01), 2))
    print(f"  best: {best:g} (default {config.min_hematoxylin_contrast:g})")


def width(tiles: list[TissueTile], config: QuantifyConfig) -> None:
    rng = np.random.default_rng(0)
    nuclei, pieces = [], []
    for tile in tiles:
        nuclei += minor_axes_um(tile.instances)
        pieces += minor_axes_um(membrane_pieces(tile, rng, HELD_OUT_MPP))
    nuclei, pieces = np.asarray(nuclei), np.asarray(pieces)
    print(f"width: {len(nuclei)} true nuclei, {len(pieces)} pieces of membrane (minor axis, um)")
    print(
        f"  nuclei 1st/5th percentile {np.percentile(nuclei, 1):.2f}/{np.percentile(nuclei, 5):.2f} um; "
        f"membrane pieces median {np.median(pieces):.2f}, 95th percentile {np.percentile(pieces, 95):.2f} um"
    )
    widths = np.round(np.arange(1.0, 4.05, 0.25), 2)
    best_threshold("width", "um", nuclei, pieces, widths)
    # a check against fakes that must not cost real nuclei (thin stroma nuclei): the widest keeping 99% of them
    chosen = max((w for w in widths if (nuclei >= w).mean() >= KEEP_NUCLEI), default=0.0)
    print(
        f"  widest keeping {100 * KEEP_NUCLEI:.0f}% of true nuclei: {chosen:g} um "
        f"(default {config.min_nucleus_width_um:g})"
    )


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
    bluish = stains["hematoxylin_contrast"] >= config.min_hematoxylin_contrast
    minor = regionprops_table(labels, properties=("axis_minor_length",))["axis_minor_length"]
    wide = minor >= config.min_width_pixels(None)
    hematoxylin = deconvolve(image, config.stains)[0]
    found = hematoxylin_coverage(labels, hematoxylin, config.um_pixels(config.coverage_grow_um, None))
    print(f"real IHC ({model or 'starter model'}): {labels.max()} objects, "
          f"{bluish.mean():.0%} bluer than around them, {(bluish & wide).mean():.0%} also wide enough, "
          f"coverage {found:.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="model folder or file for the real image (default: the starter)")
    parser.add_argument("--tiles", type=int, default=40)
    args = parser.parse_args()
    config = QuantifyConfig()
    tiles = [tile for spread in (1.0, 2.0) for tile in held_out_tiles(args.tiles, spread=spread, seed=VALIDATION_SEED)]
    likeness(tiles, config)
    width(tiles, config)
    coverage(tiles, config)
    real_ihc(args.model, config)


if __name__ == "__main__":
    main()
