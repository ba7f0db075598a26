"""Exporting trained models to ONNX and TorchScript."""
