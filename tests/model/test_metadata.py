from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from unetops.model.config import NetworkConfig
from unetops.model.metadata import ModelMetadata


def test_format_1_metadata_gets_its_network_from_the_training_settings(tiny_model: Path) -> None:
    current = ModelMetadata.model_validate_json((tiny_model / "metadata.json").read_text())
    old = current.model_dump(mode="json")
    del old["network"]
    old["format"] = "unetops-model/1"
    migrated = ModelMetadata.model_validate(old)
    assert migrated.network == current.network and migrated.format == "unetops-model/2"
    assert isinstance(migrated.network, NetworkConfig) and migrated.network.depth == old["train_config"]["depth"]


def test_network_settings_are_validated(tiny_model: Path) -> None:
    data = ModelMetadata.model_validate_json((tiny_model / "metadata.json").read_text()).model_dump(mode="json")
    data["network"]["architecture"] = "resnet"
    with pytest.raises(ValidationError, match="architecture"):
        ModelMetadata.model_validate(data)
