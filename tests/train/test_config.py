from __future__ import annotations

from pathlib import Path

import pytest

from unetops.train.config import ConfigError, TrainConfig, load_train_config, parse_duration


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("10m", 600), ("1.5h", 5400), ("45", 45), (" 2 min ", 120)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_yaml_with_train_section_and_overrides(tmp_path: Path) -> None:
    (tmp_path / "params.yaml").write_text("sample: {tiles: 3}\ntrain:\n  epochs: 7\n  architecture: attention-unet\n")
    config = load_train_config(tmp_path / "params.yaml", {"epochs": 9, "seed": None})
    assert (config.epochs, config.architecture, config.seed) == (9, "attention-unet", 0)


def test_every_problem_is_listed(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "epochs: 0\narchitecture: resnet\ntime_budget: soon\nlearning_rate: -1\nunknown: 1\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_train_config(tmp_path / "bad.yaml")
    message = str(caught.value)
    for field in ("epochs", "architecture", "time_budget", "learning_rate", "unknown"):
        assert field in message
    assert "bad.yaml" in message


def test_patch_must_fit_the_depth() -> None:
    with pytest.raises(ValueError, match="multiple of 8"):
        TrainConfig(depth=4, patch_size=100)
    assert TrainConfig(architecture="unet++").divisor == 16


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_train_config(tmp_path / "none.yaml")
    (tmp_path / "x.yaml").write_text("a: [1,\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_train_config(tmp_path / "x.yaml")
