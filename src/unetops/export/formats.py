"""Export formats, importable without torch."""

from __future__ import annotations

from enum import Enum


class ExportFormat(str, Enum):
    onnx = "onnx"
    torchscript = "torchscript"
