"""Training throughput: `train_model` against a plain PyTorch loop of the same network and data.

The default network (MONAI U-Net, depth 4, base width 16) at 256 x 256 on CPU, batch 8. Each variant runs
in a fresh process, so peak memory is its own. unetops is measured with and without augmentation; its
figure counts only the training part of an epoch (data pipeline, forward, backward, optimiser step), not
validation. The plain loop feeds preloaded tensors straight to the same network, loss and optimiser.
Goal: unetops within 10% of the plain loop.

    python benchmarks/train_throughput.py [--steps 12]
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

BATCH, PATCH = 8, 256


def make_dataset(folder: Path) -> Path:
    from unetops.dataset.build import build_dataset
    from unetops.sample import write_sample
    from unetops.spec import DatasetSpec

    sample = write_sample(folder / "sample", tiles=32, nuclei=40)
    return (
        build_dataset(sample.source, DatasetSpec(width=PATCH, height=PATCH), folder / "dataset", workers=1)
        and folder / "dataset"
    )


def run_unetops(dataset: Path, steps: int, augment: bool) -> float:
    from unetops.train.config import AugmentConfig, TrainConfig
    from unetops.train.loop import train_model

    augmentation = (
        AugmentConfig()
        if augment
        else AugmentConfig(flip=False, rotate90=False, affine=False, intensity=False, hed_jitter=0)
    )
    config = TrainConfig(
        epochs=3, batch_size=BATCH, patch_size=PATCH, steps_per_epoch=steps, augment=augmentation, patience=100
    )
    reports = []
    with tempfile.TemporaryDirectory() as out:
        train_model(dataset, config, Path(out) / "run", experiment=None, on_epoch_end=reports.append)
    timed = reports[1:]  # the first epoch warms up
    return sum(r.images for r in timed) / sum(r.train_seconds for r in timed)


def run_plain(dataset: Path, steps: int) -> float:
    import numpy as np
    import torch
    from monai.losses import DiceCELoss

    from unetops.model.network import build_network
    from unetops.spec.manifest import read_manifest
    from unetops.train.config import TrainConfig
    from unetops.train.data import load_split

    torch.manual_seed(0)
    images, masks = load_split(dataset, read_manifest(dataset), "train")
    x, y = torch.as_tensor(np.stack(images)), torch.as_tensor(np.stack(masks))
    network = build_network(TrainConfig(), 3)
    optimizer = torch.optim.AdamW(network.parameters(), lr=2e-3)
    loss_fn = DiceCELoss(sigmoid=True)
    network.train()

    def step(index: int) -> None:
        batch = torch.arange(index * BATCH, (index + 1) * BATCH) % len(x)
        optimizer.zero_grad(set_to_none=True)
        loss_fn(network(x[batch]), y[batch]).backward()
        optimizer.step()

    for index in range(steps):
        step(index)
    start = time.perf_counter()
    for index in range(2 * steps):
        step(index)
    return 2 * steps * BATCH / (time.perf_counter() - start)


def measure(variant: str, dataset: Path, steps: int) -> dict[str, float]:
    rate = (
        run_plain(dataset, steps) if variant == "plain" else run_unetops(dataset, steps, augment=variant == "unetops")
    )
    return {"images_per_second": rate, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12, help="steps per timed epoch")
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    parser.add_argument("--dataset", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(measure(args.variant, args.dataset, args.steps)))
        return
    import torch

    with tempfile.TemporaryDirectory() as tmp:
        dataset = make_dataset(Path(tmp))
        threads = torch.get_num_threads()
        print(f"default U-Net (depth 4, width 16), {PATCH}x{PATCH} RGB, batch {BATCH}, CPU, {threads} threads")
        results = {}
        for variant in ("plain", "unetops-no-augment", "unetops"):
            command = [
                sys.executable,
                __file__,
                "--variant",
                variant,
                "--dataset",
                str(dataset),
                "--steps",
                str(args.steps),
            ]
            results[variant] = json.loads(
                subprocess.run(command, capture_output=True, text=True, check=True).stdout.splitlines()[-1]
            )
            r = results[variant]
            print(f"{variant:<20} {r['images_per_second']:7.2f} images/s   peak memory {r['peak_mb']:6.0f} MB")
        plain = results["plain"]["images_per_second"]
        for variant in ("unetops-no-augment", "unetops"):
            ratio = results[variant]["images_per_second"] / plain
            print(f"{variant} / plain loop: {ratio:.2f} (goal >= 0.90)")


if __name__ == "__main__":
    main()
