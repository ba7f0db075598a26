"""Whole-slide quantification: time, tissue tiles per second and peak memory for two slide sizes, next to a bare
loop that only reads the same tiles and runs the network on them.

A default U-Net (MONAI, depth 4, base width 16) is trained briefly on the synthetic sample (so that it finds
nuclei and the measuring step has real work), then synthetic slides of the given sizes (0.5 um/px, about 40%
tissue) are quantified by `quantify_slide` in a fresh process each (peak resident memory, libraries
included), and the bare loop runs in another. Goals: peak memory under 2 GB and flat as the slide grows; the
pipeline (reading, tissue, stitching, measuring, writing) at most 25% over the bare loop.

    python benchmarks/slide.py [--sizes 10240 20480] [--train-seconds 90]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PIPELINE = """
import json, sys, time
from pathlib import Path
from unetops.model.backends import load_model
from unetops.model.segmenter import Segmenter
from unetops.quantify.config import load_profile
from unetops.slide.masks import model_masks
from unetops.slide.quantify import quantify_slide
slide, model, out = map(Path, sys.argv[1:4])
loaded = load_model(model)
start = time.perf_counter()
document = quantify_slide(slide, model_masks(Segmenter(loaded)), out, load_profile("ki67"), masks_id="benchmark",
                          analysis_mpp=loaded.metadata.dataset_spec.pixel_size_um)
print(json.dumps({"seconds": time.perf_counter() - start, "tiles": document["tiles"]["analysed"],
                  "nuclei": document["summary"]["nuclei"]}))
"""

BARE = """
import json, sys, time
from pathlib import Path
from unetops.model.backends import load_model
from unetops.model.segmenter import Segmenter
from unetops.slide.readers import open_slide
from unetops.slide.settings import SlideSettings
from unetops.slide.tiles import TileGrid
from unetops.slide.tissue import tissue_mask
slide, model = map(Path, sys.argv[1:3])
loaded = load_model(model)
segmenter = Segmenter(loaded)
settings = SlideSettings()
with open_slide(slide) as reader:
    mpp = reader.info.mpp
    grid = TileGrid.for_slide(reader, mpp, loaded.metadata.dataset_spec.pixel_size_um or mpp, settings.tile_size,
                              settings.margin)
    thumbnail, scale = reader.thumbnail(settings.thumbnail_mpp / mpp)
    tissue = tissue_mask(thumbnail, scale * mpp)
    tiles = [t for t in grid.tiles() if grid.covers(t, tissue, scale)]
    start = time.perf_counter()
    for tile in tiles:
        segmenter.segment(grid.read(reader, tile))
print(json.dumps({"seconds": time.perf_counter() - start, "tiles": len(tiles)}))
"""


def child(code: str, *args: str) -> tuple[dict, float]:
    """Run `code` in a fresh interpreter; its JSON line and its peak resident memory in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return json.loads(done.stdout.strip().splitlines()[-1]), max(peak, before) / 1024


def train(folder: Path, seconds: int) -> Path:
    from unetops.dataset.build import build_dataset
    from unetops.sample import write_sample
    from unetops.spec import DatasetSpec
    from unetops.train.config import TrainConfig
    from unetops.train.loop import train_model

    sample = write_sample(folder / "sample")
    spec = DatasetSpec(width=256, height=256, group_pattern=r"(slide\\d+)", pixel_size_um=0.5)
    build_dataset(sample.source, spec, folder / "dataset")
    config = TrainConfig(time_budget=f"{seconds}s", epochs=1000, patience=1000)
    return train_model(folder / "dataset", config, folder / "run", experiment=None).model_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10240, 20480])
    parser.add_argument("--train-seconds", type=int, default=90)
    options = parser.parse_args()
    from unetops.sample.slide import write_synthetic_slide

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        model = train(folder, options.train_seconds)
        print(f"model: default U-Net trained {options.train_seconds} s on the sample")
        print(f"{'slide':>13} {'tissue tiles':>12} {'nuclei':>8} {'total s':>8} {'tiles/s':>8} {'peak MB':>8} "
              f"{'bare s':>7} {'overhead':>8}")  # fmt: skip
        for size in options.sizes:
            started = time.perf_counter()
            slide = write_synthetic_slide(folder / f"slide{size}.svs", width=size, height=size, seed=size)
            made = time.perf_counter() - started
            result, peak = child(PIPELINE, str(slide.path), str(model), str(folder / f"out{size}"))
            bare, _ = child(BARE, str(slide.path), str(model))
            overhead = result["seconds"] / bare["seconds"] - 1
            print(f"{size:>6}x{size:<6} {result['tiles']:>12} {result['nuclei']:>8} {result['seconds']:>8.1f} "
                  f"{result['tiles'] / result['seconds']:>8.2f} {peak:>8.0f} {bare['seconds']:>7.1f} "
                  f"{100 * overhead:>7.1f}%  (slide written in {made:.0f} s)", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
