"""Colour deconvolution (Ruifrok & Johnston 2001): per-pixel stain optical densities of an RGB image."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

Vector = tuple[float, float, float]


class StainVectors(BaseModel):
    """Optical-density vectors (R, G, B) of the stains; normalised to unit length on use."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hematoxylin: Vector = (0.650, 0.704, 0.286)
    dab: Vector = (0.268, 0.570, 0.776)
    residual: Vector | None = Field((0.072, 0.990, 0.105), description="third stain (eosin); null: orthogonal")

    @field_validator("hematoxylin", "dab", "residual")
    @classmethod
    def _not_zero(cls, value: Vector | None) -> Vector | None:
        if value is not None and (min(value) < 0 or np.linalg.norm(value) == 0):
            raise ValueError("an optical-density vector has non-negative components, not all zero")
        return value

    def matrix(self) -> np.ndarray:
        """Rows: hematoxylin, DAB, residual, each of unit length."""
        h = np.asarray(self.hematoxylin, float) / np.linalg.norm(self.hematoxylin)
        d = np.asarray(self.dab, float) / np.linalg.norm(self.dab)
        r = np.cross(h, d) if self.residual is None else np.asarray(self.residual, float)
        return np.stack([h, d, r / np.linalg.norm(r)])


def optical_density(image: np.ndarray) -> np.ndarray:
    """OD = -log10((I + 1) / 256) per channel of a uint8 image, as float32 (H, W, 3)."""
    return -np.log10((image.astype(np.float32) + 1.0) / 256.0)


def deconvolve(image: np.ndarray, stains: StainVectors) -> tuple[np.ndarray, np.ndarray]:
    """Hematoxylin and DAB optical densities (H, W) each, float32, of a uint8 RGB image."""
    inverse = np.linalg.inv(stains.matrix()).astype(np.float32)
    concentrations = optical_density(image).reshape(-1, 3) @ inverse
    concentrations = np.clip(concentrations, 0, None).reshape(*image.shape[:2], 3)
    return concentrations[..., 0], concentrations[..., 1]


def residual_fraction(image: np.ndarray, stains: StainVectors, min_od: float = 0.3) -> float:
    """The third stain's share (eosin, for the shipped vectors) of all stain over the tissue pixels (total OD
    above `min_od`) of a uint8 RGB image: near 0 for hematoxylin-DAB IHC, about 0.2 for H&E."""
    od = optical_density(image).reshape(-1, 3)
    tissue = od[od.sum(1) > min_od]
    if not len(tissue):
        return 0.0
    concentrations = np.clip(tissue @ np.linalg.inv(stains.matrix()).astype(np.float32), 0, None).sum(0)
    return float(concentrations[2] / max(concentrations.sum(), 1e-9))
