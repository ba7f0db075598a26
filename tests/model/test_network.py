from __future__ import annotations

import pytest
import torch

from unetops.model.network import build_network
from unetops.spec import ColorModel
from unetops.train.config import TrainConfig


@pytest.mark.parametrize("architecture", ["unet", "attention-unet", "unet++"])
@pytest.mark.parametrize("color_model", list(ColorModel))
def test_channels_follow_the_colour_model(architecture: str, color_model: ColorModel) -> None:
    config = TrainConfig(architecture=architecture, depth=3, base_width=4)
    network = build_network(config, color_model.channels).eval()
    with torch.no_grad():
        out = network(torch.zeros(2, color_model.channels, 32, 32))
    assert out.shape == (2, 1, 32, 32)
    with pytest.raises(RuntimeError):
        network(torch.zeros(1, 3 if color_model.channels == 1 else 1, 32, 32))


def test_depth_and_width_change_the_network() -> None:
    small = sum(p.numel() for p in build_network(TrainConfig(depth=3, base_width=4), 3).parameters())
    large = sum(p.numel() for p in build_network(TrainConfig(depth=4, base_width=8), 3).parameters())
    assert large > 4 * small
