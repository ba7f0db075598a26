"""Preprocessing operations: typed, serialisable, and applied the same way at build, train and predict time.

Each operation is a pydantic model with an `op` name and its parameters, and an `apply` method that
takes and returns a uint8 image of shape (H, W) or (H, W, 3) (RGB). A list of them is stored in the
dataset spec, hence in the dataset manifest and in every model's metadata.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from unetops.preprocess import stain


class _Op(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    needs_rgb: ClassVar[bool] = False

    def apply(self, image: np.ndarray) -> np.ndarray:  # pragma: no cover - every subclass overrides
        raise NotImplementedError


def _on_luminance(image: np.ndarray, fn) -> np.ndarray:
    """Apply `fn` to the L channel of LAB (colour images) or to the image itself (grayscale)."""
    if image.ndim == 2:
        return fn(image)
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB)
    lab[..., 0] = fn(np.ascontiguousarray(lab[..., 0]))
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


class Equalize(_Op):
    """Global histogram equalisation of the luminance (not per channel, so hues are kept)."""

    op: Literal["equalize"] = "equalize"

    def apply(self, image: np.ndarray) -> np.ndarray:
        return _on_luminance(image, cv2.equalizeHist)


class Clahe(_Op):
    """Contrast-limited adaptive histogram equalisation of the luminance."""

    op: Literal["clahe"] = "clahe"
    clip_limit: float = Field(2.0, gt=0, le=40)
    tile_grid: int = Field(8, ge=1, le=64)

    def apply(self, image: np.ndarray) -> np.ndarray:
        clahe = cv2.createCLAHE(clipLimit=self.clip_limit, tileGridSize=(self.tile_grid, self.tile_grid))
        return _on_luminance(image, clahe.apply)


class AutoContrast(_Op):
    """Automatic brightness and contrast: stretch the luminance percentiles `low`..`high` to 0..255."""

    op: Literal["auto_contrast"] = "auto_contrast"
    low: float = Field(1.0, ge=0, lt=50)
    high: float = Field(99.0, gt=50, le=100)

    def apply(self, image: np.ndarray) -> np.ndarray:
        luminance = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        lo, hi = np.percentile(luminance, [self.low, self.high])
        if hi <= lo:
            return image
        lut = np.clip((np.arange(256) - lo) * 255.0 / (hi - lo) + 0.5, 0, 255).astype(np.uint8)
        return cv2.LUT(image, lut)


class Gamma(_Op):
    """Gamma correction: out = 255 * (in / 255) ** gamma."""

    op: Literal["gamma"] = "gamma"
    gamma: float = Field(1.0, gt=0, le=10)

    def apply(self, image: np.ndarray) -> np.ndarray:
        lut = np.clip(255.0 * (np.arange(256) / 255.0) ** self.gamma + 0.5, 0, 255).astype(np.uint8)
        return cv2.LUT(image, lut)


class Median(_Op):
    """Median filter with an odd square window."""

    op: Literal["median"] = "median"
    size: int = Field(3, ge=3, le=31)

    @field_validator("size")
    @classmethod
    def _odd(cls, value: int) -> int:
        if value % 2 == 0:
            raise ValueError("median size must be odd")
        return value

    def apply(self, image: np.ndarray) -> np.ndarray:
        return cv2.medianBlur(image, self.size)


class Gaussian(_Op):
    """Gaussian blur with standard deviation `sigma` (pixels)."""

    op: Literal["gaussian"] = "gaussian"
    sigma: float = Field(1.0, gt=0, le=20)

    def apply(self, image: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(image, (0, 0), self.sigma)


class Bilateral(_Op):
    """Edge-preserving bilateral filter."""

    op: Literal["bilateral"] = "bilateral"
    diameter: int = Field(5, ge=1, le=31)
    sigma_color: float = Field(50.0, gt=0)
    sigma_space: float = Field(5.0, gt=0)

    def apply(self, image: np.ndarray) -> np.ndarray:
        return cv2.bilateralFilter(image, self.diameter, self.sigma_color, self.sigma_space)


class Reinhard(_Op):
    """Reinhard stain normalisation to a reference's LAB statistics (`unetops preprocess fit-stain`)."""

    op: Literal["reinhard"] = "reinhard"
    target_mean: tuple[float, float, float]
    target_std: tuple[float, float, float]
    needs_rgb: ClassVar[bool] = True

    def apply(self, image: np.ndarray) -> np.ndarray:
        return stain.reinhard(image, list(self.target_mean), list(self.target_std))


class Macenko(_Op):
    """Macenko stain normalisation to a reference's stain vectors (`unetops preprocess fit-stain`)."""

    op: Literal["macenko"] = "macenko"
    target_stains: tuple[tuple[float, float, float], tuple[float, float, float]]
    target_max: tuple[float, float]
    needs_rgb: ClassVar[bool] = True

    def apply(self, image: np.ndarray) -> np.ndarray:
        try:
            return stain.macenko(image, [list(s) for s in self.target_stains], list(self.target_max))
        except ValueError:
            return image  # a blank tile has no stain to normalise


PreprocessOp = Annotated[
    Equalize | Clahe | AutoContrast | Gamma | Median | Gaussian | Bilateral | Reinhard | Macenko,
    Field(discriminator="op"),
]


def apply_preprocessing(image: np.ndarray, ops: list[PreprocessOp] | tuple[PreprocessOp, ...]) -> np.ndarray:
    """Apply `ops` in order to a uint8 (H, W) or (H, W, 3) image."""
    for op in ops:
        image = op.apply(image)
    return image


def fit_stain(reference: np.ndarray, method: Literal["reinhard", "macenko"]) -> Reinhard | Macenko:
    """Fit a stain normaliser on a uint8 RGB reference image."""
    if method == "reinhard":
        mean, std = stain.lab_statistics(reference)
        return Reinhard(target_mean=tuple(mean), target_std=tuple(std))
    stains, maximum = stain.macenko_stains(reference)
    return Macenko(target_stains=tuple(tuple(s) for s in stains.tolist()), target_max=tuple(maximum.tolist()))
