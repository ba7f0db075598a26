"""Prediction: model backends (ONNX Runtime, PyTorch), tiled inference of any image size, file output."""
