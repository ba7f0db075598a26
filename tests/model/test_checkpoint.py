from __future__ import annotations

from pathlib import Path

import pytest
import torch

from helpers import example_metadata
from unetops.errors import ModelError
from unetops.model.checkpoint import load_checkpoint, save_checkpoint


def test_round_trip_with_training_state(tmp_path: Path) -> None:
    save_checkpoint(tmp_path / "c.pt", {"w": torch.ones(2)}, example_metadata(), training_state={"epoch": 3})
    payload, loaded = load_checkpoint(tmp_path / "c.pt")
    assert loaded == example_metadata() and torch.equal(payload["state_dict"]["w"], torch.ones(2))
    assert payload["training_state"] == {"epoch": 3}


def test_not_a_checkpoint(tmp_path: Path) -> None:
    (tmp_path / "x.pt").write_text("hello")
    with pytest.raises(ModelError, match="not a unetops checkpoint"):
        load_checkpoint(tmp_path / "x.pt")
    torch.save({"state_dict": {}}, tmp_path / "y.pt")
    with pytest.raises(ModelError, match="no metadata"):
        load_checkpoint(tmp_path / "y.pt")
    with pytest.raises(ModelError, match="not found"):
        load_checkpoint(tmp_path / "z.pt")
