"""Scaling out: slides per second on 1 and 2 Dask workers, samples per second on 1 and 2 DDP processes.

Dask: a default U-Net (trained briefly on the synthetic sample, as in `slide.py`) quantifies the same batch of
synthetic slides on a local cluster of 1, then 2 single-threaded workers (`quantify_slides`: a plan, blocks of
tiles and a finish per slide). From Dask's task stream it prints each run's compute time per task and the
overhead per task: what a worker spends on a task besides computing it (receiving and deserialising it,
waiting for the scheduler between two tasks). Goal: overhead per slide task under 1% of its compute, so that
N workers give close to N times.

DDP: `train_model` on the sample's dataset, a fixed number of steps of a fixed global batch, on 1 then 2 CPU
processes (gloo), one thread each; samples per second over the training steps (validation excluded).

    python benchmarks/scale.py [--slides 4] [--size 6144] [--model MODEL] [--ddp-steps 24]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from slide import train  # the same briefly trained model as the slide benchmark


def task_costs(stream: list[dict]) -> tuple[int, float, float]:
    """(tasks, compute seconds, overhead seconds) from a Dask task stream: overhead is a task's transfer and
    deserialisation, and the worker's idle gap before it (after its previous task)."""
    compute = overhead = 0.0
    by_worker: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for task in stream:
        spans = task["startstops"]
        compute += sum(s["stop"] - s["start"] for s in spans if s["action"] == "compute")
        overhead += sum(s["stop"] - s["start"] for s in spans if s["action"] != "compute")
        by_worker[task["worker"]].append((min(s["start"] for s in spans), max(s["stop"] for s in spans)))
    for spans in by_worker.values():
        spans.sort()
        overhead += sum(max(0.0, start - previous_stop) for (_, previous_stop), (start, _) in itertools.pairwise(spans))
    return len(stream), compute, overhead


def dask_run(slides: list[Path], model: Path, out: Path, workers: int) -> dict:
    from distributed import get_task_stream

    from unetops.cluster import connect
    from unetops.fileio import sha256_file
    from unetops.model.backends import load_model
    from unetops.quantify.config import load_profile
    from unetops.slide.batch import quantify_slides
    from unetops.slide.masks import worker_model_masks
    from unetops.slide.quantify import SlideJob

    loaded = load_model(model, threads=1)
    mpp = loaded.metadata.dataset_spec.pixel_size_um
    jobs = [SlideJob(s, out, load_profile("ki67"), sha256_file(loaded.path), analysis_mpp=mpp) for s in slides]
    with connect("local", workers=workers) as client:
        client.run(lambda: None)  # the workers are up before the clock starts
        with get_task_stream(client) as stream:
            started = time.perf_counter()
            result = quantify_slides(client, jobs, worker_model_masks(loaded))
            seconds = time.perf_counter() - started
    assert not result.failed, result.failed
    tasks, compute, overhead = task_costs(stream.data)
    tiles = sum(d["tiles"]["analysed"] for d in result.documents.values())
    return {"seconds": seconds, "tasks": tasks, "compute": compute, "overhead": overhead, "tiles": tiles}


def ddp_child(dataset: Path, out: Path, devices: int, steps: int) -> None:
    """One DDP training (run again in each process by Fabric's launcher); rank 0 prints its JSON line."""
    from unetops.train.config import TrainConfig
    from unetops.train.loop import is_first_process, train_model

    reports = []
    config = TrainConfig(epochs=2, steps_per_epoch=steps // 2, batch_size=8, patch_size=128, patience=100,
                         accelerator="cpu", devices=devices, register_model=False)  # fmt: skip
    train_model(dataset, config, out, experiment=None, on_epoch_end=reports.append)
    if is_first_process():
        print(json.dumps({"images": sum(r.images for r in reports), "seconds": sum(r.train_seconds for r in reports)}))


def ddp_run(dataset: Path, out: Path, devices: int, steps: int) -> dict:
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}  # one thread per process
    command = [sys.executable, __file__, "ddp-child", str(dataset), str(out), str(devices), str(steps)]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if sys.argv[1:2] == ["ddp-child"]:
        dataset, out, devices, steps = sys.argv[2:6]
        ddp_child(Path(dataset), Path(out), int(devices), int(steps))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slides", type=int, default=4)
    parser.add_argument("--size", type=int, default=6144)
    parser.add_argument("--train-seconds", type=int, default=60)
    parser.add_argument("--model", type=Path, help="a trained model folder to use instead of training one")
    parser.add_argument("--ddp-steps", type=int, default=24)
    options = parser.parse_args()
    from unetops.sample.slide import write_synthetic_slide

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        model = options.model or train(folder, options.train_seconds)
        slides = [
            write_synthetic_slide(folder / f"slide{n}.svs", width=options.size, height=options.size, seed=n).path
            for n in range(options.slides)
        ]
        print(f"Dask: {options.slides} slides of {options.size}x{options.size} px, one thread per worker")
        print(f"{'workers':>7} {'seconds':>8} {'slides/s':>9} {'tiles':>6} {'tasks':>6} {'compute/task s':>15} "
              f"{'overhead/task ms':>17} {'overhead %':>10} {'efficiency':>10}")  # fmt: skip
        rates = {}
        for workers in (1, 2):
            run = dask_run(slides, model, folder / f"out{workers}", workers)
            rates[workers] = options.slides / run["seconds"]
            efficiency = rates[workers] / (workers * rates[1])
            print(f"{workers:>7} {run['seconds']:>8.1f} {rates[workers]:>9.4f} {run['tiles']:>6} {run['tasks']:>6} "
                  f"{run['compute'] / run['tasks']:>15.2f} {1000 * run['overhead'] / run['tasks']:>17.1f} "
                  f"{100 * run['overhead'] / run['compute']:>9.2f}% {100 * efficiency:>9.0f}%", flush=True)  # fmt: skip
        if model == options.model:
            print("DDP: skipped (needs the sample's dataset; run without --model)")
            return
        print(f"DDP: {options.ddp_steps} steps of a global batch of 8 (128 px patches), one thread per process")
        print(f"{'processes':>9} {'samples':>8} {'train s':>8} {'samples/s':>10} {'efficiency':>10}")
        base = None
        for devices in (1, 2):
            run = ddp_run(folder / "dataset", folder / f"ddp{devices}", devices, options.ddp_steps)
            rate = run["images"] / run["seconds"]
            base = base or rate
            print(f"{devices:>9} {run['images']:>8} {run['seconds']:>8.1f} {rate:>10.1f} "
                  f"{100 * rate / (devices * base):>9.0f}%", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
