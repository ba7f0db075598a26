"""The JSON that the original dataset-parameter web form writes, mapped onto `DatasetSpec`.

The form posts strings for numbers and codes its choices by position:

| form field             | value                         | DatasetSpec field              |
|------------------------|-------------------------------|--------------------------------|
| `width`, `height`      | "512"                         | `width`, `height`              |
| `image_type`           | "1" JPG, "2" PNG, "3" BMP     | `image_type`                   |
| `color_model`          | "1" RGB, "2" GRAYSCALE, "3" BINARY | `color_model`             |
| `separate_file_format` | "on" / absent                 | `layout` separate / single     |
| `description`          | "_mask"                       | `mask_keyword`                 |
| `_token`               | CSRF token                    | ignored                        |

Our web UI's form adds the rest of the spec under the spec's own names and types: `resize`, `split`
({"train", "val", "test"}), `seed`, `group_pattern`, `pixel_size_um` and `preprocess` (a list of operations).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unetops.spec.model import ColorModel, ImageType, OutputLayout

FORM_IMAGE_TYPES: dict[str, ImageType] = {"1": ImageType.jpg, "2": ImageType.png, "3": ImageType.bmp}
FORM_COLOR_MODELS: dict[str, ColorModel] = {"1": ColorModel.rgb, "2": ColorModel.grayscale, "3": ColorModel.binary}
SPEC_FIELDS = ("resize", "split", "seed", "group_pattern", "pixel_size_um", "preprocess")  # passed through as they are
FORM_FIELDS = frozenset(
    {"_token", "height", "width", "image_type", "color_model", "separate_file_format", "description", *SPEC_FIELDS}
)


def is_form_json(data: Mapping[str, Any]) -> bool:
    """True when `data` looks like the web form's JSON rather than a `DatasetSpec` file."""
    if "_token" in data or "separate_file_format" in data or "description" in data:
        return True
    return isinstance(data.get("image_type"), str) and data["image_type"].isdigit()


def form_to_spec_fields(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Translate the form's fields into `DatasetSpec` fields.

    Returns:
        The spec fields, and one message per problem (unknown field, bad code, non-integer size).
    """
    fields: dict[str, Any] = {}
    problems: list[str] = []
    for key in sorted(set(data) - FORM_FIELDS):
        problems.append(f"{key}: not a field of the dataset-parameter form (fields: {', '.join(sorted(FORM_FIELDS))})")
    for key in ("width", "height"):
        if key not in data:
            problems.append(f"{key}: missing")
            continue
        text = str(data[key]).strip()
        if text.isdigit():
            fields[key] = int(text)
        else:
            problems.append(f"{key}: {data[key]!r} is not a whole number of pixels")
    for key, table in (("image_type", FORM_IMAGE_TYPES), ("color_model", FORM_COLOR_MODELS)):
        code = str(data.get(key, "")).strip()
        if code in table:
            fields[key] = table[code]
        else:
            choices = ", ".join(f"{k} ({v.value.upper()})" for k, v in table.items())
            problems.append(f"{key}: {data.get(key)!r} is not one of {choices}")
    separate = data.get("separate_file_format")
    if separate not in (None, "on"):
        problems.append(f'separate_file_format: {separate!r} must be "on" or absent')
    fields["layout"] = OutputLayout.separate if separate == "on" else OutputLayout.single
    keyword = data.get("description")
    if keyword not in (None, ""):
        fields["mask_keyword"] = str(keyword)
    fields.update({key: data[key] for key in SPEC_FIELDS if data.get(key) not in (None, "")})
    return fields, problems
