"""`DatasetSpec`: the pydantic model of a dataset spec file."""

from __future__ import annotations

import hashlib
import json
import re
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from unetops.imageio.types import ColorModel, ImageType, ResizePolicy
from unetops.preprocess.ops import PreprocessOp

__all__ = ["ColorModel", "DatasetSpec", "ImageType", "OutputLayout", "ResizePolicy", "SplitFractions"]


class OutputLayout(str, Enum):
    """`separate`: `<split>/images` + `<split>/masks`; `single`: one folder per split, masks by keyword."""

    separate = "separate"
    single = "single"


class SplitFractions(BaseModel):
    """Fractions of the items (by group) in each split; they sum to 1."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    train: float = Field(0.7, ge=0, le=1, description="Train fraction.")
    val: float = Field(0.15, ge=0, le=1, description="Validation fraction.")
    test: float = Field(0.15, ge=0, le=1, description="Test fraction.")

    @model_validator(mode="after")
    def _sum_to_one(self) -> SplitFractions:
        total = self.train + self.val + self.test
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"train + val + test must be 1, got {total:g}")
        if self.train == 0:
            raise ValueError("train fraction must be above 0")
        return self

    def as_dict(self) -> dict[str, float]:
        return {"train": self.train, "val": self.val, "test": self.test}


class DatasetSpec(BaseModel):
    """A dataset spec: every property of the dataset that `unetops dataset build` writes.

    Width and height are both given, or both left out to keep each image's native size.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)

    width: int | None = Field(512, ge=8, le=32768, description="Output width in pixels; null keeps native size.")
    height: int | None = Field(512, ge=8, le=32768, description="Output height in pixels; null keeps native size.")
    resize: ResizePolicy = Field(ResizePolicy.stretch, description="stretch, fit (pad) or crop (centre).")
    image_type: ImageType = Field(ImageType.png, description="File format of the built images.")
    color_model: ColorModel = Field(ColorModel.rgb, description="rgb, grayscale (luminance) or binary (Otsu).")
    layout: OutputLayout = Field(OutputLayout.separate, description="separate image/mask folders or one folder.")
    mask_keyword: str = Field("_mask", min_length=1, max_length=64, description="Suffix of mask file stems.")
    split: SplitFractions = Field(default_factory=SplitFractions)
    seed: int = Field(0, ge=0, description="Seed of the deterministic split.")
    pixel_size_um: float | None = Field(
        None,
        gt=0,
        le=100,
        description="Micrometres per pixel of the built images (optional for plain images); slides are read at "
        "this resolution for every model trained on the dataset.",
    )
    group_pattern: str | None = Field(
        None,
        description="Regex over the source-relative path naming the slide or patient; its first group "
        "(or whole match) is the group. One group never lands in two splits.",
    )

    preprocess: tuple[PreprocessOp, ...] = Field(
        (),
        description="Preprocessing operations, in order; applied at build and again by every model trained on "
        "the dataset at predict time.",
    )

    @field_validator("mask_keyword")
    @classmethod
    def _keyword_is_a_name(cls, value: str) -> str:
        if re.search(r"[\\/:*?\"<>|\s]", value) or value.startswith("."):
            raise ValueError(f"mask keyword {value!r} must be a plain file-name part (no spaces, slashes or dot)")
        return value

    @field_validator("group_pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"group_pattern is not a valid regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> DatasetSpec:
        if (self.width is None) != (self.height is None):
            raise ValueError("give both width and height, or neither to keep the native size")
        stain_ops = [op.op for op in self.preprocess if op.needs_rgb]
        if stain_ops and self.color_model is not ColorModel.rgb:
            raise ValueError(f"{', '.join(stain_ops)} needs colour images; set color_model to rgb")
        return self

    @property
    def size(self) -> tuple[int, int] | None:
        """(width, height), or None for native size."""
        return None if self.width is None or self.height is None else (self.width, self.height)

    @property
    def mask_type(self) -> ImageType:
        """Masks are stored lossless: PNG when images are JPEG, else the image type."""
        return self.image_type if self.image_type.lossless else ImageType.png

    def canonical_json(self) -> str:
        """Compact, key-sorted JSON of the spec, the input of `sha256`."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))

    def sha256(self) -> str:
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()
