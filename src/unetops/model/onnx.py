"""ONNX export of a trained network, with its metadata embedded and a parity check against PyTorch."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
from torch import nn

from unetops.fileio import atomic_write_bytes
from unetops.model.metadata import ModelMetadata
from unetops.model.tiled import class_probabilities

OPSET = 17


def export_onnx(network: nn.Module, metadata: ModelMetadata, path: Path) -> None:
    """Write `network` as ONNX (input `image` N x C x H x W, output `logits`), metadata in `metadata_props`."""
    network = network.eval()
    example = torch.zeros(1, metadata.in_channels, metadata.patch_size, metadata.patch_size)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # the TorchScript-based exporter is deprecated in favour of dynamo, which needs onnxscript and takes
        # seconds per export; it still produces the same graph for these networks
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            network,
            (example,),
            buffer,
            dynamo=False,
            opset_version=OPSET,
            input_names=["image"],
            output_names=["logits"],
            dynamic_axes={
                "image": {0: "batch", 2: "height", 3: "width"},
                "logits": {0: "batch", 2: "height", 3: "width"},
            },
        )
    model = onnx.load_from_string(buffer.getvalue())
    onnx.helper.set_model_props(model, {"unetops_metadata": metadata.model_dump_json()})
    atomic_write_bytes(path, model.SerializeToString())


def onnx_parity(network: nn.Module, path: Path, inputs: np.ndarray) -> float:
    """Largest absolute difference of class probabilities (every output channel) between PyTorch and ONNX
    Runtime on `inputs`."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        expected = class_probabilities(network.eval()(torch.as_tensor(inputs)).numpy(), axis=1)
    got = class_probabilities(session.run(None, {"image": inputs.astype(np.float32)})[0], axis=1)
    return float(np.abs(expected - got).max())
