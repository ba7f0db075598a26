"""`NetworkConfig`: which network, how deep and how wide; in every model's metadata, to rebuild it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class NetworkConfig(BaseModel):
    """The network's architecture settings (importable without PyTorch)."""

    model_config = ConfigDict(extra="forbid", frozen=True, protected_namespaces=())

    architecture: Literal["unet", "attention-unet", "unet++"] = Field(
        "unet", description="unet, attention-unet or unet++"
    )
    depth: int = Field(4, ge=2, le=6, description="resolution levels (unet++ always uses 5)")
    base_width: int = Field(16, ge=4, le=128, description="channels at the first level; doubled per level")
    target: Literal["binary", "instances"] = Field(
        "binary",
        description="binary: one foreground channel (touching nuclei split afterwards); instances: background, "
        "interior and border classes, so that the network itself parts touching nuclei",
    )

    @property
    def out_channels(self) -> int:
        """Logit channels: 1 (foreground) or 3 (background, interior, border)."""
        return 3 if self.target == "instances" else 1

    @property
    def divisor(self) -> int:
        """Spatial sizes must be multiples of this for the network's downsampling."""
        return 16 if self.architecture == "unet++" else 2 ** (self.depth - 1)
