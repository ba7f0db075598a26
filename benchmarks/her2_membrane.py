"""HER2 membrane scoring on generated tissue with exact truth: the cell's 0 / 1+ / 2+ / 3+ and the image's score.

Tiles come from `tissue_tile(marker="her2")`, whose tumour cells carry a membrane ring scored as ASCO/CAP
defines the patterns (3+ complete and intense, 2+ complete and moderate, 1+ faint and incomplete, 0 none), in
regional patches, under a new stain draw per 4 tiles. The membrane is measured from the true nuclei (this
measures the membrane rule, not a segmentation). The cut-offs are chosen on a validation set (seeds 20,000 on)
by the best per-cell accuracy of tumour cells, then reported on a test set (seeds 30,000 on) with the confusion
matrix and the agreement of the image scores.

    python benchmarks/her2_membrane.py [--tiles 32]
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np

from unetops.preprocess.deconvolution import deconvolve
from unetops.quantify.config import load_profile
from unetops.quantify.membrane import her2_score, membrane_stains
from unetops.sample.tissue import StainDraw, tissue_tile

MPP = 0.5


def tiles(first_seed: int, count: int):
    for index in range(count):
        if index % 4 == 0:
            stain = StainDraw.draw(np.random.default_rng([first_seed, index]))
        yield tissue_tile(np.random.default_rng(first_seed + index), marker="her2", mpp=MPP, stain=stain)


def scored(tile_set, config):
    """Per tile: the true and measured scores of its tumour cells."""
    out = []
    for tile, dab in tile_set:
        tumour = np.array([n.cell_class == "tumour" for n in tile.nuclei], bool)
        measured = membrane_stains(tile.instances, dab, config, MPP)["membrane_score"][tumour]
        out.append((np.array([n.membrane_score for n in tile.nuclei])[tumour], measured))
    return out


def accuracy(results) -> float:
    truth = np.concatenate([t for t, _ in results])
    return float((truth == np.concatenate([m for _, m in results])).mean()) if truth.size else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=32)
    args = parser.parse_args()
    profile = load_profile("her2")
    with_dab = [(t, deconvolve(t.image, profile.stains)[1]) for t in tiles(20_000, args.tiles)]
    grid = itertools.product((0.03, 0.05, 0.08, 0.1), (0.15, 0.2, 0.25, 0.3, 0.4), (0.5, 0.6, 0.75, 0.9))
    best = None
    for faint, intense, complete in grid:
        config = profile.model_copy(update={"membrane_cutoffs": (faint, intense), "membrane_complete": complete})
        score = accuracy(scored(with_dab, config))
        if best is None or score > best[0]:
            best = (score, config)
    validation, config = best
    print(f"validation ({args.tiles} tiles): best per-cell accuracy {validation:.3f} at membrane_cutoffs "
          f"{config.membrane_cutoffs}, membrane_complete {config.membrane_complete}")  # fmt: skip
    default = accuracy(scored(with_dab, profile))
    print(f"  the profile's settings ({profile.membrane_cutoffs}, {profile.membrane_complete}): {default:.3f}")
    test = scored([(t, deconvolve(t.image, profile.stains)[1]) for t in tiles(30_000, args.tiles)], profile)
    truth, measured = np.concatenate([t for t, _ in test]), np.concatenate([m for _, m in test])
    print(f"test ({args.tiles} tiles, {truth.size} tumour cells), the profile's settings: per-cell accuracy "
          f"{accuracy(test):.3f}, within one step {(np.abs(truth - measured) <= 1).mean():.3f}")  # fmt: skip
    print("confusion (rows true 0, 1+, 2+, 3+; columns measured):")
    for row in range(4):
        print("  " + " ".join(f"{int(((truth == row) & (measured == col)).sum()):5d}" for col in range(4)))
    agree = [her2_score(t)["her2_score"] == her2_score(m)["her2_score"] for t, m in test if t.size >= 20]
    print(f"image score (ASCO/CAP, tiles of 20 or more tumour cells): {sum(agree)} of {len(agree)} agree")


if __name__ == "__main__":
    main()
