"""The starter model shipped in the package: a small U-Net trained on the realistic generator by
`make starter-model`, so that `quantify`, `slide quantify` and `serve` give a first result before a lab trains
its own. Its model card (`MODEL_CARD.md` here) says what it was trained on, its held-out figures and its limits.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from unetops.errors import ModelError

CARD = "MODEL_CARD.md"


def starter_folder() -> Path:
    """The folder of the starter model's files (in the installed package)."""
    return Path(str(resources.files("unetops.starter")))


def starter_model() -> Path:
    """The starter model's ONNX file; a clear error when this install lacks it."""
    path = starter_folder() / "model.onnx"
    if not path.is_file():
        raise ModelError(
            "this install carries no starter model", path=path, fix="give --model, or build it with make starter-model"
        )
    return path


def starter_note(path: Path) -> str:
    """What a command says when it falls back on the starter model at `path`."""
    return (
        f"no --model given: using the starter model ({path}), trained on generated IHC tissue only; "
        f"read its limits in {starter_folder() / CARD} before trusting a number, and train on your own slides"
    )
