from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from helpers import example_metadata
from unetops.model.network import build_network
from unetops.model.onnx import export_onnx, onnx_parity
from unetops.train.config import TrainConfig


@pytest.mark.parametrize("architecture", ["unet", "attention-unet"])
def test_parity_and_embedded_metadata(tmp_path: Path, architecture: str) -> None:
    torch.manual_seed(0)
    network = build_network(TrainConfig(architecture=architecture, depth=3, base_width=4), 3).eval()
    meta = example_metadata()
    export_onnx(network, meta, tmp_path / "m.onnx")
    rng = np.random.default_rng(0)
    for shape in ((1, 3, 64, 64), (2, 3, 96, 128)):
        assert onnx_parity(network, tmp_path / "m.onnx", rng.random(shape, dtype=np.float32)) < 1e-4
    props = {p.key: p.value for p in onnx.load(str(tmp_path / "m.onnx")).metadata_props}
    assert json.loads(props["unetops_metadata"])["dataset_version"] == meta.dataset_version
