"""The dataset spec: what a built dataset looks like (size, format, colour model, layout, split)."""

from __future__ import annotations

from unetops.spec.form import FORM_COLOR_MODELS, FORM_IMAGE_TYPES, is_form_json
from unetops.spec.load import load_spec, parse_spec, spec_problems
from unetops.spec.model import ColorModel, DatasetSpec, ImageType, OutputLayout, ResizePolicy, SplitFractions

__all__ = [
    "FORM_COLOR_MODELS",
    "FORM_IMAGE_TYPES",
    "ColorModel",
    "DatasetSpec",
    "ImageType",
    "OutputLayout",
    "ResizePolicy",
    "SplitFractions",
    "is_form_json",
    "load_spec",
    "parse_spec",
    "spec_problems",
]
