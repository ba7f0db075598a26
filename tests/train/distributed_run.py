"""A training run, one step per epoch, that records a digest of its weights after every step in each process.

Run as a script (Fabric's launcher starts the other processes by running it again):
    python distributed_run.py DATASET OUT DEVICES EPOCHS [STOP_AT] [--resume]
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import torch

from helpers import tiny_train_config
from unetops.train import loop
from unetops.train.hooks import TrainingHook
from unetops.train.loop import TrainingRun, load_data, publish, run_epochs, set_up
from unetops.train.validation import validate

VALIDATED: list[int] = []  # images this process validated, per epoch


def counted_validate(network, images, *arguments):
    VALIDATED.append(len(images))
    return validate(network, images, *arguments)


class Interrupt(Exception):
    pass


class Digests(TrainingHook):
    def __init__(self, run: TrainingRun, stop_at: int | None) -> None:
        self.run, self.stop_at = run, stop_at
        self.path = run.out / f"rank{run.fabric.global_rank}.jsonl"

    def on_epoch_end(self, report, state) -> None:
        digest = hashlib.sha256()
        for tensor in self.run.network.state_dict().values():
            digest.update(tensor.detach().cpu().numpy().tobytes())
        with self.path.open("a") as handle:
            handle.write(json.dumps({"epoch": report.epoch, "weights": digest.hexdigest(), "loss": report.train_loss,
                                     "seen": report.images, "dice": report.val_dice,
                                     "validated": VALIDATED[-1]}) + "\n")  # fmt: skip
        if report.epoch == self.stop_at:
            raise Interrupt  # in every process at the same step


def main() -> None:
    arguments = [a for a in sys.argv[1:] if a != "--resume"]
    dataset, out, devices, epochs = Path(arguments[0]), Path(arguments[1]), int(arguments[2]), int(arguments[3])
    stop_at = int(arguments[4]) if len(arguments) > 4 else None
    config = tiny_train_config(epochs=epochs, steps_per_epoch=1, devices=devices, accelerator="cpu", patience=100)
    out.mkdir(parents=True, exist_ok=True)
    run = set_up(load_data(dataset), config, out, resume="--resume" in sys.argv)
    loop.validate = counted_validate
    if run.fabric.is_global_zero and not (out / "initial.pt").exists():
        torch.save({k: v.detach().cpu().clone() for k, v in run.network.state_dict().items()}, out / "initial.pt")
    reason = run_epochs(run, [Digests(run, stop_at)], None)
    publish(run, reason)


if __name__ == "__main__":
    main()
