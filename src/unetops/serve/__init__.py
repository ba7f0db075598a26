"""The REST API and web UI (`unetops serve`): FastAPI over the ONNX backend, without PyTorch."""
