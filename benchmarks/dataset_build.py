"""Dataset build throughput: `build_dataset` (1 process and all cores) against a naive Pillow loop.

Builds N 1024x1024 RGB pairs into 512x512 PNG. The naive loop does the same work in one process
(decode, resize image by area and mask by nearest, re-binarise, encode PNG at the same compression
level) but skips what the builder adds: checks, hashes, statistics, manifest, atomic output.
Goal: at least 1.7x the naive loop on 2 cores, and peak memory that does not grow with N.

    python benchmarks/dataset_build.py [--pairs 64]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from unetops.dataset.build import build_dataset
from unetops.imageio import encode_image, encode_mask
from unetops.imageio.write import PNG_COMPRESSION
from unetops.parallel import default_workers
from unetops.sample import synthetic_ihc_tile
from unetops.spec import DatasetSpec, ImageType


def write_source(root: Path, pairs: int) -> None:
    """N distinct 1024x1024 pairs (a few synthetic tiles, rolled so that every file differs)."""
    rng = np.random.default_rng(0)
    tiles = [synthetic_ihc_tile(rng, height=1024, width=1024, nuclei=600) for _ in range(4)]
    for index in range(pairs):
        tile, shift = tiles[index % len(tiles)], 7 * index
        (root / "images").mkdir(parents=True, exist_ok=True)
        (root / "masks").mkdir(parents=True, exist_ok=True)
        image = np.roll(tile.image, shift, axis=1)
        (root / "images" / f"p{index:04d}.png").write_bytes(encode_image(image, ImageType.png))
        (root / "masks" / f"p{index:04d}.png").write_bytes(
            encode_mask(np.roll(tile.mask, shift, axis=1), ImageType.png)
        )


def naive_loop(source: Path, out: Path) -> None:
    out.mkdir(parents=True)
    for image_path in sorted((source / "images").iterdir()):
        image = Image.open(image_path).convert("RGB").resize((512, 512), Image.Resampling.BOX)
        mask = Image.open(source / "masks" / image_path.name).convert("L").resize((512, 512), Image.Resampling.NEAREST)
        mask = mask.point(lambda v: 255 if v > 127 else 0)
        image.save(out / image_path.name, compress_level=PNG_COMPRESSION)
        mask.save(out / f"{image_path.stem}_mask.png", compress_level=PNG_COMPRESSION)


def peak_build_memory_mb(source: Path, out: Path) -> float:
    """Peak resident memory of a one-process build, measured in a fresh interpreter."""
    code = (
        "import resource, sys; from pathlib import Path; from unetops.dataset.build import build_dataset; "
        "from unetops.spec import DatasetSpec; "
        "build_dataset(Path(sys.argv[1]), DatasetSpec(width=512, height=512), Path(sys.argv[2]), workers=1); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(source), str(out)], capture_output=True, text=True, check=True
    )
    return int(result.stdout.split()[-1]) / 1024


def timed(label: str, fn, pairs: int) -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    print(f"{label:<28} {pairs / seconds:8.1f} images/s   ({seconds:6.2f} s)")
    return pairs / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=64)
    args = parser.parse_args()
    spec = DatasetSpec(width=512, height=512, image_type=ImageType.png)
    cores = default_workers()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"{args.pairs} pairs of 1024x1024 RGB -> 512x512 PNG, {cores} cores")
        rates: dict[str, float] = {}
        peaks: dict[int, float] = {}
        for pairs in (args.pairs // 2, args.pairs):
            source = work / f"src{pairs}"
            write_source(source, pairs)
            if pairs == args.pairs:
                rates["naive"] = timed(
                    "naive Pillow loop (1 core)", lambda s=source: naive_loop(s, work / "naive"), pairs
                )
                rates["one"] = timed(
                    "unetops, 1 process", lambda s=source: build_dataset(s, spec, work / "one", workers=1), pairs
                )
            rates["all"] = timed(
                f"unetops, {cores} processes (N={pairs})",
                lambda s=source, n=pairs: build_dataset(s, spec, work / f"all{n}", workers=cores),
                pairs,
            )
            peaks[pairs] = peak_build_memory_mb(source, work / f"mem{pairs}")
            shutil.rmtree(source)
        print(f"speed-up vs naive loop:      {rates['all'] / rates['naive']:.2f}x   (goal >= 1.7x on 2 cores)")
        print(f"scaling 1 -> {cores} processes:     {rates['all'] / rates['one']:.2f}x")
        half, full = peaks[args.pairs // 2], peaks[args.pairs]
        print(f"peak memory of a 1-process build: N={args.pairs // 2}: {half:.0f} MB, N={args.pairs}: {full:.0f} MB")


if __name__ == "__main__":
    main()
