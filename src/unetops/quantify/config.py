"""`QuantifyConfig`: stain vectors, thresholds and instance settings, saved as YAML profiles per marker."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

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
    compartment: Literal["nucleus", "membrane"] = Field(
        "nucleus",
        description="what the marker stains: nucleus (Ki-67, ER, PR: a nuclear index) or membrane (HER2: each "
        "cell's membrane ring and the 0 / 1+ / 2+ / 3+ score)",
    )
    positive_threshold: float = Field(
        0.15, gt=0, description="nuclear DAB OD (core above surroundings) above which a nucleus is positive"
    )
    nuclear_rim_um: float = Field(
        1.0,
        ge=0,
        description="positivity is read inside each nucleus less a rim this wide (um; at 0.5 um/px when "
        "the pixel size is unknown), so that a brown membrane or cytoplasm touching the nucleus does not count",
    )
    min_hematoxylin_contrast: float = Field(
        0.02,
        description="an object is nucleus-like when its mean hematoxylin OD exceeds that of a ring around it by this "
        "much (brown cytoplasm and membranes do not; the best balanced accuracy on validation tiles in "
        "benchmarks/nucleus_likeness.py)",
    )
    contrast_ring_um: float = Field(1.5, gt=0, description="width of that ring (um)")
    min_nucleus_width_um: float = Field(
        1.5,
        ge=0,
        description="and when its minor axis is at least this wide (um; at 0.5 um/px when the pixel size is "
        "unknown): a piece of brown membrane between cells is thinner (the widest that keeps 99% of the true nuclei "
        "of validation tiles, benchmarks/nucleus_likeness.py)",
    )
    min_nucleus_like: float = Field(
        0.6, ge=0, le=1, description="the index is not measured when fewer of the objects found are nucleus-like"
    )
    intensity_cutoffs: tuple[float, float, float] = Field(
        (0.15, 0.4, 0.6), description="nuclear DAB OD lower bounds of the 1+, 2+ and 3+ bins"
    )
    cell_radius_um: float = Field(
        8.0, gt=0, description="membrane: a cell is its nucleus grown by up to this much (um), never into a neighbour"
    )
    membrane_max_width_um: float = Field(
        4.0, gt=0, description="membrane: DAB ridges narrower than this (um) are membrane; wider stain is cytoplasm"
    )
    membrane_cutoffs: tuple[float, float] = Field(
        (0.08, 0.25),
        description="membrane: DAB OD of a membrane ridge from which a sector is stained (faint) and a "
        "ring is intense (chosen in benchmarks/her2_membrane.py)",
    )
    membrane_complete: float = Field(
        0.6, gt=0, le=1, description="membrane: a ring is complete when this fraction of it is stained"
    )
    membrane_partial: float = Field(
        0.2, gt=0, le=1, description="membrane: a cell is stained at all (1+) when this fraction of its ring is"
    )
    max_eosin_fraction: float = Field(
        0.15,
        gt=0,
        le=1,
        description="no DAB index when the third stain (eosin) holds more of the tissue's stain than this: H&E, "
        "not IHC (real H&E: 0.19-0.22; real IHC 0.00, generated IHC 0.11 at most; benchmarks/real_images.py)",
    )
    min_hematoxylin_coverage: float = Field(
        0.5,
        ge=0,
        le=1,
        description="no index when the objects found take in less of the image's hematoxylin-rich area than this: "
        "most nuclei missed (0.5: the median coverage of the true nuclei with half of them left out, on validation "
        "tiles in benchmarks/nucleus_likeness.py)",
    )
    coverage_grow_um: float = Field(1.0, ge=0, description="hematoxylin this near (um) an object found counts as its")
    min_area_um2: float = Field(
        10.0,
        gt=0,
        description="objects smaller than this (um^2; at the assumed 0.5 um/px when the pixel size is unknown) are "
        "removed: QuPath's default minimum nucleus area, below the smallest nuclei (a lymphocyte's is about 20-40)",
    )
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

    @model_validator(mode="after")
    def _ordered_membrane_cutoffs(self) -> QuantifyConfig:
        if not self.membrane_cutoffs[0] < self.membrane_cutoffs[1]:
            raise ValueError("membrane_cutoffs must increase (faint < intense)")
        return self

    @staticmethod
    def um_pixels(micrometres: float, pixel_size: float | None) -> int:
        """A length in micrometres as whole pixels (at least 1; `ASSUMED_PIXEL_SIZE` when unknown)."""
        return max(1, round(micrometres / (pixel_size or ASSUMED_PIXEL_SIZE)))

    def rim_pixels(self, pixel_size: float | None) -> int:
        """The rim left out of the nuclear compartment, in pixels (0 when `nuclear_rim_um` is 0)."""
        return self.um_pixels(self.nuclear_rim_um, pixel_size) if self.nuclear_rim_um else 0

    def ring_pixels(self, pixel_size: float | None) -> int:
        """The ring around a nucleus its hematoxylin contrast is measured against, in pixels."""
        return self.um_pixels(self.contrast_ring_um, pixel_size)

    def min_area_pixels(self, pixel_size: float | None) -> int:
        """`min_area_um2` in pixels (at least 1)."""
        return max(1, round(self.min_area_um2 / (pixel_size or ASSUMED_PIXEL_SIZE) ** 2))

    def min_width_pixels(self, pixel_size: float | None) -> float:
        """`min_nucleus_width_um` in (fractional) pixels."""
        return self.min_nucleus_width_um / (pixel_size or ASSUMED_PIXEL_SIZE)

    def positivity_rule(self, pixel_size: float | None) -> str:
        """How a nucleus (or, for a membrane marker, a cell) was called positive, in words for the report."""
        if self.compartment == "membrane":
            faint, intense = self.membrane_cutoffs
            return (
                f"membrane: each nucleus grown by up to {self.cell_radius_um:g} um into its cell; in 16 sectors around "
                f"it the strongest DAB ridge narrower than {self.membrane_max_width_um:g} um (above the cytoplasm); "
                f"a sector is stained above {faint:g} OD, a ring complete when {100 * self.membrane_complete:.0f}% of "
                f"it is, intense above {intense:g}; cells 3+ complete and intense, 2+ complete (or intense but "
                f"incomplete), 1+ at least {100 * self.membrane_partial:.0f}% stained, else 0; the image's score by "
                "ASCO/CAP (more than 10% of cells); nuclear and cytoplasmic DAB are not membrane"
            )
        rim = f"{self.nuclear_rim_um:g} um" + ("" if pixel_size else f" (at an assumed {ASSUMED_PIXEL_SIZE} um/px)")
        return (
            f"nuclear DAB: mean DAB OD of the nucleus less a {rim} rim ({self.rim_pixels(pixel_size)} px), minus that "
            f"of a {self.contrast_ring_um:g} um ring around it, > {self.positive_threshold:g}; DAB outside nuclei "
            "(cytoplasm, membranes, background) is never read as nuclear"
        )


ASSUMED_PIXEL_SIZE = 0.5  # um/px taken for the rim when an image carries no pixel size
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
