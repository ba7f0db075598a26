"""Before/after grids of preprocessing, and reading operation lists from files."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import yaml
from pydantic import TypeAdapter, ValidationError

from unetops.errors import SpecError
from unetops.preprocess.ops import PreprocessOp, apply_preprocessing

OPS_ADAPTER = TypeAdapter(tuple[PreprocessOp, ...])


def load_ops(path: Path) -> tuple[PreprocessOp, ...]:
    """Operations from a JSON or YAML file: a list of operations, or a spec with a `preprocess` field."""
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
        data = data.get("preprocess", [])
    try:
        return OPS_ADAPTER.validate_python(data)
    except ValidationError as exc:
        problems = "\n  - ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SpecError(f"invalid preprocessing operations:\n  - {problems}", path=path) from None


def _fit_height(image: np.ndarray, height: int) -> np.ndarray:
    rgb = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    width = max(1, round(rgb.shape[1] * height / rgb.shape[0]))
    return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)


def preview_grid(images: list[np.ndarray], ops: tuple[PreprocessOp, ...], *, height: int = 256) -> np.ndarray:
    """One row per image, original on the left and preprocessed on the right, as a uint8 RGB array."""
    rows = []
    for image in images:
        pair = [_fit_height(image, height), _fit_height(apply_preprocessing(image, ops), height)]
        rows.append(np.concatenate([pair[0], np.full((height, 8, 3), 255, np.uint8), pair[1]], axis=1))
    width = max(row.shape[1] for row in rows)
    padded = [np.pad(row, ((0, 8), (0, width - row.shape[1]), (0, 0)), constant_values=255) for row in rows]
    return np.concatenate(padded, axis=0)
