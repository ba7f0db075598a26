"""The serving path (ONNX model by path) imports and answers with PyTorch, MONAI, MLflow, the slide extra and
Dask unavailable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
for name in ("torch", "monai", "mlflow", "lightning_fabric", "pyarrow", "openslide", "zarr", "dask", "distributed"):
    sys.modules[name] = None  # importing any of them now raises ImportError
from pathlib import Path
from fastapi.testclient import TestClient
from helpers import tile_png
from unetops.model.backends import load_model
from unetops.serve.app import create_app
from unetops.serve.settings import ServeSettings

only_onnx = Path(sys.argv[1])
app = create_app(ServeSettings(model=str(only_onnx), auth=False), load_model(only_onnx))
client = TestClient(app)
_, data = tile_png(64)
assert client.post("/v1/quantify", files={"file": ("t.png", data)}).status_code == 200
assert client.get("/v1/jobs").status_code == 404  # no slide jobs without a data folder (nor the slide extra)
models = client.get("/v1/models").json()
assert models["registry"]["available"] is False, models
from unetops.errors import ModelError
try:
    load_model("models:/nuclei@production")
except ModelError as exc:
    assert "need MLflow" in exc.problem, exc.problem
else:
    raise AssertionError("a registry reference without MLflow must be a ModelError")
print("ok")
"""


def test_serving_needs_only_the_onnx_file(serving_model: Path, tmp_path: Path) -> None:
    (tmp_path / "model.onnx").write_bytes((serving_model / "model.onnx").read_bytes())
    tests = Path(__file__).parents[1]
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tests), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
