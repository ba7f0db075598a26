from __future__ import annotations

import pytest

from helpers import FORM_JSON as FORM
from unetops.errors import SpecError
from unetops.spec import ColorModel, ImageType, OutputLayout, is_form_json, parse_spec


def test_reads_the_form_json_exactly_as_written() -> None:
    spec = parse_spec(FORM)
    assert (spec.width, spec.height) == (512, 512)
    assert spec.image_type is ImageType.png
    assert spec.color_model is ColorModel.rgb
    assert spec.layout is OutputLayout.separate
    assert spec.mask_keyword == "_mask"


@pytest.mark.parametrize(("code", "expected"), [("1", ImageType.jpg), ("2", ImageType.png), ("3", ImageType.bmp)])
def test_image_type_codes(code: str, expected: ImageType) -> None:
    assert parse_spec({**FORM, "image_type": code}).image_type is expected


@pytest.mark.parametrize(
    ("code", "expected"), [("1", ColorModel.rgb), ("2", ColorModel.grayscale), ("3", ColorModel.binary)]
)
def test_color_model_codes(code: str, expected: ColorModel) -> None:
    assert parse_spec({**FORM, "color_model": code}).color_model is expected


def test_absent_separate_flag_means_one_folder() -> None:
    form = {k: v for k, v in FORM.items() if k != "separate_file_format"}
    assert parse_spec(form).layout is OutputLayout.single


def test_keyword_from_description() -> None:
    assert parse_spec({**FORM, "description": "-gt"}).mask_keyword == "-gt"


def test_every_problem_is_reported_at_once() -> None:
    bad = {**FORM, "width": "wide", "image_type": "7", "color_model": "0", "separate_file_format": "yes", "extra": 1}
    with pytest.raises(SpecError) as caught:
        parse_spec(bad)
    text = str(caught.value)
    for fragment in (
        "width: 'wide'",
        "image_type: '7'",
        "1 (JPG), 2 (PNG), 3 (BMP)",
        "color_model: '0'",
        "separate_file_format",
        "extra",
    ):
        assert fragment in text


def test_detects_form_versus_native() -> None:
    assert is_form_json(FORM)
    assert not is_form_json({"width": 256, "height": 256, "image_type": "png"})
