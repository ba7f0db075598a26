from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from unetops.errors import ModelError
from unetops.model.backends import Backend, load_model
from unetops.model.segmenter import Segmenter
from unetops.sample import synthetic_ihc_tile


def test_a_checkpoint_without_an_onnx_twin_runs_on_pytorch(tiny_model: Path) -> None:
    best = tiny_model.parent / "checkpoints" / "best.pt"
    loaded = load_model(best)  # the ONNX backend is the default
    assert loaded.backend is Backend.torch and loaded.path == best
    image = synthetic_ihc_tile(np.random.default_rng(0), height=64, width=64).image
    published = load_model(tiny_model / "model.pt", Backend.torch)
    np.testing.assert_allclose(
        Segmenter(loaded).segment(image).probabilities, Segmenter(published).segment(image).probabilities, atol=1e-6
    )


def test_a_model_folder_uses_its_onnx_file(tiny_model: Path) -> None:
    loaded = load_model(tiny_model)
    assert loaded.backend is Backend.onnx and loaded.path.name == "model.onnx"


def test_a_missing_model_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="model file not found"):
        load_model(tmp_path / "nothing.pt")
