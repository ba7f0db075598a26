from __future__ import annotations

from pathlib import Path

import pytest

from unetops.errors import ModelError, UnetopsError
from unetops.tracking.registry import list_models, promote, resolve_model, show_model
from unetops.tracking.store import client


def test_resolve_a_file_or_a_folder(tmp_path: Path) -> None:
    (tmp_path / "model.pt").write_bytes(b"x")
    assert resolve_model(tmp_path) == tmp_path / "model.pt"
    assert resolve_model(str(tmp_path / "model.pt")) == tmp_path / "model.pt"
    with pytest.raises(ModelError, match="model file not found"):
        resolve_model(tmp_path / "none.pt")


def test_unknown_registry_entries(mlflow_home: Path) -> None:
    client().search_experiments()  # an existing, empty store
    with pytest.raises(ModelError, match="not in the registry"):
        resolve_model("models:/ghost@production")
    with pytest.raises(ModelError, match="no registered model named 'ghost'"):
        show_model("ghost")
    with pytest.raises(ModelError, match="cannot set alias"):
        promote("ghost", "1", "production")


def test_reading_the_registry_never_creates_a_store(mlflow_home: Path) -> None:
    for read in (list_models, lambda: show_model("x"), lambda: resolve_model("models:/x@production")):
        with pytest.raises(UnetopsError, match="no MLflow store:"):
            read()
    assert not (mlflow_home / "mlflow.db").exists()
