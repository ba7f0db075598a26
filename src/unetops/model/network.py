"""Networks from MONAI: classic U-Net, attention U-Net and U-Net++, with the target's output channels (logits)."""

from __future__ import annotations

from monai.networks.nets import AttentionUnet, BasicUNetPlusPlus, UNet
from torch import Tensor, nn

from unetops.model.config import NetworkConfig


class FirstOutput(nn.Module):
    """Return the full-resolution output of a deeply supervised network as a single tensor."""

    def __init__(self, network: nn.Module) -> None:
        super().__init__()
        self.network = network

    def forward(self, x: Tensor) -> Tensor:
        return self.network(x)[0]


def build_network(config: NetworkConfig, in_channels: int) -> nn.Module:
    """The configured network for `in_channels` input channels (1 grayscale/binary, 3 RGB)."""
    widths = tuple(config.base_width * 2**level for level in range(config.depth))
    strides = (2,) * (config.depth - 1)
    out = config.out_channels
    if config.architecture == "unet":
        return UNet(2, in_channels, out, channels=widths, strides=strides, num_res_units=2, norm="batch")
    if config.architecture == "attention-unet":
        return AttentionUnet(2, in_channels, out, channels=widths, strides=strides)
    w = config.base_width
    return FirstOutput(BasicUNetPlusPlus(2, in_channels, out, features=(w, w, 2 * w, 4 * w, 8 * w, w)))
