"""Prediction throughput: torch eager against ONNX Runtime for the default model, and the memory of a
whole 8000 x 8000 RGB image.

The default network (MONAI U-Net, depth 4, base width 16, RGB) with random weights: speed does not depend
on the weights. Tiles are 512 x 512; batch 1 and batch 8. The large image is predicted through the
library's tiled path (512-pixel windows, ONNX Runtime) in a fresh process, and its peak resident memory
reported, libraries included. Goal: ONNX Runtime at least 2x torch eager on CPU; the large image under 2 GB.

    python benchmarks/predict_throughput.py [--repeats 5] [--skip-large]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

TILE = 512


def make_model(folder: Path) -> Path:
    from unetops import __version__
    from unetops.model.checkpoint import save_checkpoint
    from unetops.model.metadata import ModelMetadata
    from unetops.model.network import build_network
    from unetops.model.onnx import export_onnx
    from unetops.spec import DatasetSpec
    from unetops.train.config import TrainConfig

    torch.manual_seed(0)
    config = TrainConfig()
    network = build_network(config, 3).eval()
    metadata = ModelMetadata(
        unetops_version=__version__,
        in_channels=3,
        threshold=0.5,
        patch_size=TILE,
        divisor=config.divisor,
        dataset_version="ds-benchmark",
        dataset_spec=DatasetSpec(),
        train_config=config,
        reference_stats={},
    )
    save_checkpoint(folder / "model.pt", network.state_dict(), metadata)
    export_onnx(network, metadata, folder / "model.onnx")
    return folder


def ms_per_tile(logits, batch: int, repeats: int) -> float:
    inputs = np.random.default_rng(0).random((batch, 3, TILE, TILE), dtype=np.float32)
    logits(inputs)  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        logits(inputs)
    return (time.perf_counter() - start) * 1000 / (repeats * batch)


def large_image_peak(model: Path) -> dict:
    code = (
        "import json, resource, time, numpy as np; "
        "from unetops.model.backends import load_model; from unetops.model.tiled import predict_probabilities; "
        f"m = load_model({str(model)!r}); "
        "image = np.tile(np.random.default_rng(0).integers(0, 255, (1000, 1000, 3), dtype=np.uint8), (8, 8, 1)); "
        "start = time.perf_counter(); p = predict_probabilities(image, m.logits, m.metadata, window=512); "
        "print(json.dumps({'seconds': time.perf_counter() - start, "
        "'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-large", action="store_true", help="skip the 8000 x 8000 image (about 2 minutes)")
    args = parser.parse_args()
    from unetops.model.backends import Backend, load_model

    with tempfile.TemporaryDirectory() as tmp:
        model = make_model(Path(tmp))
        print(f"default U-Net, {TILE}x{TILE} RGB tiles, CPU, {torch.get_num_threads()} threads")
        results = {}
        for backend in Backend:
            logits = load_model(model, backend).logits
            for batch in (1, 8):
                ms = ms_per_tile(logits, batch, args.repeats)
                results[(backend, batch)] = ms
                print(f"{backend.value:<6} batch {batch}: {ms:7.1f} ms per tile   {1000 / ms:6.2f} tiles/s")
        for batch in (1, 8):
            speedup = results[(Backend.torch, batch)] / results[(Backend.onnx, batch)]
            print(f"ONNX Runtime / torch eager, batch {batch}: {speedup:.2f}x (goal >= 2x)")
        if not args.skip_large:
            large = large_image_peak(model)
            seconds, peak = large["seconds"], large["peak_mb"]
            print(
                f"8000x8000 RGB, ONNX Runtime, 512 windows: {seconds:.0f} s, peak memory {peak:.0f} MB (goal < 2048 MB)"
            )


if __name__ == "__main__":
    main()
