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

    @property
    def divisor(self) -> int:
        """Spatial sizes must be multiples of this for the network's downsampling."""
        return 16 if self.architecture == "unet++" else 2 ** (self.depth - 1)
