"""Choices a user makes about inference, importable without the inference stack (torch, ONNX Runtime)."""

from __future__ import annotations

from enum import Enum


class Backend(str, Enum):
    """Which runtime computes the network: ONNX Runtime (default on CPU) or PyTorch."""

    onnx = "onnx"
    torch = "torch"
