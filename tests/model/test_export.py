from __future__ import annotations

from pathlib import Path

import pytest

from unetops.errors import UnetopsError
from unetops.model import export as model_export
from unetops.model.backends import Backend, load_model
from unetops.model.export import ExportFormat, export_model


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_export_with_parity(tiny_model: Path, tmp_path: Path, fmt: ExportFormat) -> None:
    path, difference = export_model(tiny_model / "model.pt", fmt, tmp_path / f"m.{fmt.value}")
    assert path.is_file() and difference < 1e-4


def test_exported_onnx_is_what_the_onnx_backend_loads(tiny_model: Path, tmp_path: Path) -> None:
    (tmp_path / "model.pt").write_bytes((tiny_model / "model.pt").read_bytes())
    export_model(tmp_path, ExportFormat.onnx)
    assert load_model(tmp_path, Backend.onnx).backend is Backend.onnx


def test_a_failed_parity_check_leaves_no_file(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model_export, "PARITY_LIMIT", 0.0)
    with pytest.raises(UnetopsError, match="differs from PyTorch"):
        export_model(tiny_model, ExportFormat.onnx, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()
