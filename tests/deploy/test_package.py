from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unetops.cli.app import app
from unetops.errors import ModelError
from unetops.model.backends import load_model


def test_package_writes_a_build_context_the_service_can_load(tiny_model: Path, tmp_path: Path) -> None:
    args = ["package", str(tiny_model), "-o", str(tmp_path / "pkg"), "--base-image", "registry.example/serve:1.0"]
    assert CliRunner().invoke(app, args).exit_code == 0
    context = tmp_path / "pkg"
    assert sorted(p.name for p in context.rglob("*")) == ["Dockerfile", "metadata.json", "model", "model.onnx"]
    dockerfile = (context / "Dockerfile").read_text()
    assert (
        "ARG BASE_IMAGE=registry.example/serve:1.0" in dockerfile
        and "COPY --chown=root:root model/ /models/model/" in dockerfile
    )
    packaged = load_model(context / "model")
    original = load_model(tiny_model)
    assert packaged.metadata == original.metadata
    assert (
        json.loads((context / "model" / "metadata.json").read_text())["dataset_version"]
        == original.metadata.dataset_version
    )
    assert (context / "model" / "model.onnx").read_bytes() == (tiny_model / "model.onnx").read_bytes()


def test_package_refuses_a_folder_without_a_model(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="model file not found"):
        from unetops.deploy.package import package_model

        package_model(str(tmp_path), tmp_path / "out")
    assert not (tmp_path / "out").exists()
