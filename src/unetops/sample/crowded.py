"""`write_crowded_sample`: clean tiles of crowded nuclei (clusters of touching, slightly overlapping nuclei) with
their exact instance labels as the masks, for training and measuring instance separation.

Layout written under OUT:

    source/images/slideNN_tileMM.png     RGB tiles
    source/masks/slideNN_tileMM.png      16-bit instance labels (0 background; the build keeps them)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from unetops.fileio import atomic_write_bytes
from unetops.imageio import encode_image, encode_labels
from unetops.sample.source import TILES_PER_SLIDE
from unetops.sample.synthetic_ihc import synthetic_ihc_tile
from unetops.spec.model import ImageType


def write_crowded_sample(out: Path, *, tiles: int = 24, seed: int = 0, nuclei: int = 80, size: int = 256) -> Path:
    """Write `tiles` crowded tiles of `size` x `size` under `out/source`; returns that folder. The same
    arguments always give the same bytes."""
    rng = np.random.default_rng(seed)
    source = out / "source"
    for index in range(tiles):
        stem = f"slide{index // TILES_PER_SLIDE + 1:02d}_tile{index % TILES_PER_SLIDE + 1:02d}"
        tile = synthetic_ihc_tile(
            rng, height=size, width=size, nuclei=nuclei, positive_fraction=float(rng.uniform(0.1, 0.6)), crowded=True
        )
        atomic_write_bytes(source / "images" / f"{stem}.png", encode_image(tile.image, ImageType.png))
        atomic_write_bytes(source / "masks" / f"{stem}.png", encode_labels(tile.instances))
    return source
