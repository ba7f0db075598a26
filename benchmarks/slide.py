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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TREE_PEAK = """
import threading, psutil
class TreePeak(threading.Thread):
    # the peak of the resident memory of this process and all its descendants together, sampled every 50 ms
    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self.done = 0, threading.Event()
        self.start()
    def run(self):
        me = psutil.Process()
        while not self.done.wait(0.05):
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
    def stop(self):
        self.done.set()
        self.join()
        return self.peak / 2**20
PEAK = TreePeak()
"""

PIPELINE = (
    TREE_PEAK
    + """
import json, sys, time
from pathlib import Path
from unetops.model.backends import load_model
from unetops.model.segmenter import Segmenter
from unetops.quantify.config import load_profile
from unetops.slide.masks import model_masks
from unetops.slide.quantify import inference_threads, measuring_workers, quantify_slide
slide, model, out = map(Path, sys.argv[1:4])
workers = measuring_workers(None)
loaded = load_model(model, threads=inference_threads(workers))
start = time.perf_counter()
document = quantify_slide(slide, model_masks(Segmenter(loaded)), out, load_profile("ki67"), masks_id="benchmark",
                          analysis_mpp=loaded.metadata.dataset_spec.pixel_size_um, workers=workers)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "tiles": document["tiles"]["analysed"], "nuclei": document["summary"]["nuclei"],
                  "workers": workers, "peak_mb": PEAK.stop()}))
"""
)

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


def child(code: str, *args: str) -> dict:
    """Run `code` in a fresh interpreter; its JSON line."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


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
    parser.add_argument("--model", type=Path, help="a trained model folder to use instead of training one")
    options = parser.parse_args()
    from unetops.sample.slide import write_synthetic_slide

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        model = options.model or train(folder, options.train_seconds)
        print(
            f"model: {options.model}"
            if options.model
            else f"model: default U-Net trained {options.train_seconds} s on the sample"
        )
        print(f"{'slide':>13} {'tissue tiles':>12} {'nuclei':>8} {'total s':>8} {'tiles/s':>8} {'peak MB':>8} "
              f"{'bare s':>7} {'overhead':>8}")  # fmt: skip
        for size in options.sizes:
            started = time.perf_counter()
            slide = write_synthetic_slide(folder / f"slide{size}.svs", width=size, height=size, seed=size)
            made = time.perf_counter() - started
            result = child(PIPELINE, str(slide.path), str(model), str(folder / f"out{size}"))
            bare = child(BARE, str(slide.path), str(model))
            overhead = result["seconds"] / bare["seconds"] - 1
            print(f"{size:>6}x{size:<6} {result['tiles']:>12} {result['nuclei']:>8} {result['seconds']:>8.1f} "
                  f"{result['tiles'] / result['seconds']:>8.2f} {result['peak_mb']:>8.0f} {bare['seconds']:>7.1f} "
                  f"{100 * overhead:>7.1f}%  (slide written in {made:.0f} s)", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
