"""Read a spec file (ours or the form's JSON) and explain every problem at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from unetops.errors import SpecError
from unetops.spec.form import form_to_spec_fields, is_form_json
from unetops.spec.model import DatasetSpec


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "spec"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        fields = ", ".join(DatasetSpec.model_fields)
        return f"{where}: unknown field (fields: {fields})"
    if "input" in error and error["type"] not in ("missing",) and not isinstance(error["input"], dict):
        return f"{where}: {message} (got {error['input']!r})"
    return f"{where}: {message}"


def spec_problems(data: Any) -> tuple[DatasetSpec | None, list[str]]:
    """Validate parsed JSON as a spec (either format).

    Returns:
        The spec (None if invalid) and one plain-language message per problem.
    """
    if not isinstance(data, dict):
        return None, [f"spec: expected a JSON object, got {type(data).__name__}"]
    problems: list[str] = []
    fields = data
    if is_form_json(data):
        fields, problems = form_to_spec_fields(data)
    try:
        spec = DatasetSpec.model_validate(fields)
    except ValidationError as exc:
        problems.extend(_describe(e) for e in exc.errors())
        return None, problems
    return (spec if not problems else None), problems


def parse_spec(data: Any, *, source: Path | str | None = None) -> DatasetSpec:
    """Validate parsed JSON as a spec; raises `SpecError` listing every problem."""
    spec, problems = spec_problems(data)
    if spec is None:
        raise SpecError(
            "invalid dataset spec:\n  - " + "\n  - ".join(problems),
            path=source,
            fix="correct the fields above; `unetops spec schema` prints every field with its type",
        )
    return spec


def read_spec_json(path: Path) -> Any:
    """Parse a spec file's JSON; raises `SpecError` naming the line and column of a syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError("spec file not found", path=path, fix="create one with `unetops spec init`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read spec file: {exc}", path=path) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", path=path, fix="fix the JSON syntax"
        ) from None


def load_spec(path: Path) -> DatasetSpec:
    """Load and validate a spec file, ours or the web form's."""
    return parse_spec(read_spec_json(path), source=path)
