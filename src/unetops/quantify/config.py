"""`QuantifyConfig`: stain vectors, thresholds and instance settings, saved as YAML profiles per marker."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from unetops.errors import UnetopsError
from unetops.preprocess.deconvolution import StainVectors


class QuantifyError(UnetopsError):
    """A quantification profile or input is invalid."""

    exit_code = 2


class QuantifyConfig(BaseModel):
    """Everything that turns a mask and an image into nucleus measurements; recorded in every output."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "custom"
    description: str = ""
    experimental: bool = False
    stains: StainVectors = Field(default_factory=StainVectors)
    positive_threshold: float = Field(0.2, gt=0, description="mean nuclear DAB OD above which a nucleus is positive")
    intensity_cutoffs: tuple[float, float, float] = Field(
        (0.2, 0.4, 0.6), description="DAB OD lower bounds of the 1+, 2+ and 3+ bins"
    )
    min_area: int = Field(15, ge=1, description="objects smaller than this (pixels) are removed")
    split_touching: bool = True
    min_distance: int = Field(4, ge=1, description="watershed: minimum distance between nucleus centres (pixels)")
    footprint: int = Field(7, ge=3, description="watershed: side of the square searched for centres (pixels)")
    exclude_border: bool = Field(False, description="leave nuclei touching the image border out of the summary")
    min_nuclei: int = Field(500, ge=1, description="summaries with fewer nuclei are flagged as low-count")

    @model_validator(mode="after")
    def _increasing_cutoffs(self) -> QuantifyConfig:
        if not self.intensity_cutoffs[0] < self.intensity_cutoffs[1] < self.intensity_cutoffs[2]:
            raise ValueError("intensity_cutoffs must increase (1+ < 2+ < 3+)")
        return self


PROFILES = ("ki67", "er", "pr", "her2")


def load_profile(name_or_path: str | Path) -> QuantifyConfig:
    """A shipped profile by name (ki67, er, pr, her2) or a YAML file."""
    text = str(name_or_path)
    if text in PROFILES:
        source = resources.files("unetops.quantify").joinpath("profiles", f"{text}.yaml").read_text(encoding="utf-8")
        where: Path | str = f"profile {text}"
    else:
        path = Path(text)
        if not path.is_file():
            raise QuantifyError(
                f"no profile named {text!r} and no such file", fix=f"use one of {', '.join(PROFILES)} or a YAML file"
            )
        source, where = path.read_text(encoding="utf-8"), path
    try:
        return QuantifyConfig.model_validate(yaml.safe_load(source) or {})
    except (yaml.YAMLError, ValidationError) as exc:
        raise QuantifyError(f"invalid quantification profile: {exc}", path=where) from None
