"""Instance separation on crowded tissue: a binary U-Net with the distance-transform watershed against the same
U-Net trained on the instance target (background, interior, border), at the same training time budget on CPU.

Crowded synthetic tiles (clusters of 3 to 10 touching, slightly overlapping nuclei, exact instance truth) are
built into a dataset split by slide; each mode trains for the same wall-clock budget. The watershed's two
settings (seed distance, footprint) are chosen on the validation split for the best object F1, as the instance
mode's thresholds are, so neither side is tuned on the test split. Reported on the test split: object F1, PQ,
AJI, Dice, training seconds and ONNX Runtime inference milliseconds per 256 x 256 tile (instances included).
Goal: instance mode's object F1 at least 0.05 above binary + watershed, Dice no lower, inference at most 1.2x.

    python benchmarks/instances.py [--tiles 48] [--seconds 300]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from unetops.dataset.build import build_dataset
from unetops.evaluation.objects import object_metrics
from unetops.evaluation.pixel import pixel_metrics
from unetops.imageio import image_to_uint8, read_image
from unetops.model.backends import load_model
from unetops.model.instances import choose_watershed_params, split_touching
from unetops.model.segmenter import Segmenter
from unetops.sample import write_crowded_sample
from unetops.spec import DatasetSpec
from unetops.spec.manifest import read_manifest
from unetops.train.config import TrainConfig
from unetops.train.loop import train_model


def split_images(dataset: Path, split: str) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(image, mask, true instances) of each image of a split."""
    out = []
    for item in read_manifest(dataset).items:
        if item.split == split:
            image = image_to_uint8(read_image(dataset / item.image))
            truth = read_image(dataset / item.instances, mask=True).array.astype(np.int32)
            out.append((image, truth > 0, truth))
    return out


def evaluate(segmenter: Segmenter, test: list, settings: dict[str, int] | None) -> dict[str, float]:
    """Mean object and pixel metrics over the test images, and milliseconds per tile (instances included)."""
    rows, seconds = [], 0.0
    for image, mask, truth in test:
        started = time.perf_counter()
        result = segmenter.segment(image, prepared=True)
        found = result.instances if settings is None else split_touching(result.mask, **settings)
        seconds += time.perf_counter() - started
        rows.append({**object_metrics(found, truth), **pixel_metrics(result.mask, mask)})
    means = {name: float(np.nanmean([row[name] for row in rows])) for name in ("object_f1", "pq", "aji", "dice")}
    return {**means, "ms_per_tile": 1000 * seconds / len(test)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=48)
    parser.add_argument("--seconds", type=int, default=300, help="training budget of each mode")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        source = write_crowded_sample(folder / "sample", tiles=options.tiles)
        dataset = folder / "dataset"
        build_dataset(source, DatasetSpec(width=256, height=256, group_pattern=r"(slide\d+)"), dataset)
        val, test = split_images(dataset, "val"), split_images(dataset, "test")
        print(f"{options.tiles} crowded tiles: {len(val)} val, {len(test)} test; {options.seconds} s of training each")
        results = {}
        for target in ("binary", "instances"):
            config = TrainConfig(target=target, time_budget=f"{options.seconds}s", epochs=10_000, patience=10_000)
            trained = train_model(dataset, config, folder / target, experiment=None)
            segmenter = Segmenter(load_model(trained.model_dir / "model.onnx"))
            masks = [segmenter.segment(image, prepared=True).mask for image, _, _ in val]
            settings = choose_watershed_params(masks, [t for _, _, t in val])[0] if target == "binary" else None
            results[target] = {**evaluate(segmenter, test, settings), "train_s": trained.seconds}
            chosen = settings or segmenter.model.metadata.instances.model_dump()
            print(f"  {target}: {trained.epochs_run} epochs, chosen on val: {chosen}")
        print(f"{'mode':>22} {'object F1':>9} {'PQ':>6} {'AJI':>6} {'Dice':>6} {'train s':>8} {'ms/tile':>8}")
        for target, label in (("binary", "binary + watershed"), ("instances", "instance target")):
            r = results[target]
            print(f"{label:>22} {r['object_f1']:>9.3f} {r['pq']:>6.3f} {r['aji']:>6.3f} {r['dice']:>6.3f} "
                  f"{r['train_s']:>8.0f} {r['ms_per_tile']:>8.1f}")  # fmt: skip
        b, i = results["binary"], results["instances"]
        print(f"object F1 gain {i['object_f1'] - b['object_f1']:+.3f} (goal +0.05), Dice {i['dice'] - b['dice']:+.3f} "
              f"(goal >= 0), inference {i['ms_per_tile'] / b['ms_per_tile']:.2f}x (goal <= 1.2x)")  # fmt: skip


if __name__ == "__main__":
    main()
