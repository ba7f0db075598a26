"""Before/after grids of preprocessing, and operation lists from files or names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import cv2
import numpy as np
import yaml
from pydantic import TypeAdapter, ValidationError

from unetops.errors import SpecError
from unetops.preprocess.ops import PreprocessOp, apply_preprocessing

OPS_ADAPTER = TypeAdapter(tuple[PreprocessOp, ...])
OPERATIONS = get_args(get_args(PreprocessOp)[0])
FILE_SUFFIXES = (".json", ".yaml", ".yml")
LABEL_HEIGHT = 24


def load_ops(path: Path) -> tuple[PreprocessOp, ...]:
    """Operations from a JSON or YAML file: a list of operations, one operation (what `fit-stain` prints), or a
    spec with a `preprocess` field. A file that yields no operation is an error."""
    try:
        data = (
            yaml.safe_load(path.read_text(encoding="utf-8"))
            if path.suffix in (".yaml", ".yml")
            else json.loads(path.read_text(encoding="utf-8"))
        )
    except FileNotFoundError:
        raise SpecError("file not found", path=path) from None
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise SpecError(f"cannot parse: {exc}", path=path) from None
    if isinstance(data, dict):
        data = [data] if "op" in data else data.get("preprocess", [])
    try:
        ops = OPS_ADAPTER.validate_python(data)
    except ValidationError as exc:
        problems = "\n  - ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SpecError(f"invalid preprocessing operations:\n  - {problems}", path=path) from None
    if not ops:
        raise SpecError(
            "no preprocessing operation in this file",
            path=path,
            fix="give a list of operations, one operation, or a spec whose `preprocess` list is not empty",
        )
    return ops


def parse_ops(text: str) -> tuple[PreprocessOp, ...]:
    """Operations from a file (`load_ops`) or from comma-separated names with default parameters
    (`clahe,equalize`)."""
    path = Path(text)
    if path.is_file() or path.suffix.lower() in FILE_SUFFIXES:
        return load_ops(path)
    names = [name.strip() for name in text.split(",") if name.strip()]
    known = {op.model_fields["op"].default: op for op in OPERATIONS}
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise SpecError(
            f"unknown preprocessing operation(s): {', '.join(unknown) or text!r}",
            fix=f"use names from {', '.join(known)} (or a JSON/YAML file); grayscale is a spec's color_model",
        )
    needs_fitting = [name for name in names if _needs_values(known[name])]
    if needs_fitting:
        raise SpecError(
            f"{', '.join(needs_fitting)} needs fitted values",
            fix="fit them with `unetops preprocess fit-stain REFERENCE` and pass the file it prints",
        )
    return tuple(known[name]() for name in names)


def _needs_values(op: type) -> bool:
    return any(field.is_required() for field in op.model_fields.values())


def _fit_height(image: np.ndarray, height: int) -> np.ndarray:
    rgb = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    width = max(1, round(rgb.shape[1] * height / rgb.shape[0]))
    return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)


def preview_grid(images: list[np.ndarray], ops: tuple[PreprocessOp, ...], *, height: int = 256) -> np.ndarray:
    """One row per image, original on the left and preprocessed on the right, under a header naming the
    columns (before; after, with the operations applied), as a uint8 RGB array."""
    rows = []
    for image in images:
        pair = [_fit_height(image, height), _fit_height(apply_preprocessing(image, ops), height)]
        rows.append(np.concatenate([pair[0], np.full((height, 8, 3), 255, np.uint8), pair[1]], axis=1))
    width = max(row.shape[1] for row in rows)
    padded = [np.pad(row, ((0, 8), (0, width - row.shape[1]), (0, 0)), constant_values=255) for row in rows]
    after_x = _fit_height(images[0], height).shape[1] + 8
    header = _header(width, {0: "before", after_x: "after: " + ", ".join(op.op for op in ops)})
    return np.concatenate([header, *padded], axis=0)


def _header(width: int, labels: dict[int, str]) -> np.ndarray:
    """A white strip with each label written at its x position."""
    strip = np.full((LABEL_HEIGHT, width, 3), 255, np.uint8)
    for x, text in labels.items():
        cv2.putText(strip, text, (x + 4, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
    return strip
