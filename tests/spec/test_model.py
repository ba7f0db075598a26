from __future__ import annotations

import pytest
from pydantic import ValidationError

from unetops.spec import ColorModel, DatasetSpec, ImageType


def test_defaults() -> None:
    spec = DatasetSpec()
    assert spec.size == (512, 512)
    assert spec.mask_keyword == "_mask"
    assert spec.split.as_dict() == {"train": 0.7, "val": 0.15, "test": 0.15}


def test_native_size_needs_both_sides_empty() -> None:
    assert DatasetSpec(width=None, height=None).size is None
    with pytest.raises(ValidationError, match="both width and height"):
        DatasetSpec(width=None, height=256)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"split": {"train": 0.5, "val": 0.2, "test": 0.2}}, "must be 1"),
        ({"split": {"train": 0.0, "val": 0.5, "test": 0.5}}, "above 0"),
        ({"mask_keyword": "my mask"}, "plain file-name part"),
        ({"mask_keyword": "a/b"}, "plain file-name part"),
        ({"group_pattern": "(slide"}, "not a valid regular expression"),
        ({"width": 4, "height": 4}, "greater than or equal to 8"),
        ({"color_model": "cmyk"}, "rgb"),
        ({"unknown": 1}, "Extra inputs"),
    ],
)
def test_invalid_fields(fields: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DatasetSpec.model_validate(fields)


def test_masks_are_lossless_even_for_jpeg_images() -> None:
    assert DatasetSpec(image_type=ImageType.jpg).mask_type is ImageType.png
    assert DatasetSpec(image_type=ImageType.tif).mask_type is ImageType.tif


def test_channels_follow_colour_model() -> None:
    assert [m.channels for m in ColorModel] == [3, 1, 1]


def test_hash_changes_with_any_field() -> None:
    assert DatasetSpec().sha256() == DatasetSpec().sha256()
    assert DatasetSpec().sha256() != DatasetSpec(seed=1).sha256()
