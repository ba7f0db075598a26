"""Preprocessing applied identically at build, train, predict and serve time."""

from __future__ import annotations

from unetops.preprocess.ops import (
    AutoContrast,
    Bilateral,
    Clahe,
    Equalize,
    Gamma,
    Gaussian,
    Macenko,
    Median,
    PreprocessOp,
    Reinhard,
    apply_preprocessing,
    fit_stain,
)

__all__ = [
    "AutoContrast",
    "Bilateral",
    "Clahe",
    "Equalize",
    "Gamma",
    "Gaussian",
    "Macenko",
    "Median",
    "PreprocessOp",
    "Reinhard",
    "apply_preprocessing",
    "fit_stain",
]
