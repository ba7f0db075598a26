"""Typer options derived from the pydantic models, so that each default and description is stated once."""

from __future__ import annotations

from enum import Enum
from typing import Any

import typer
from pydantic import BaseModel

_MISSING = object()


def field_default(model: type[BaseModel], name: str) -> Any:
    """The default of `model`'s field `name`."""
    return model.model_fields[name].get_default(call_default_factory=True)


def _help(model: type[BaseModel], name: str, default_note: str = "") -> str:
    text = (model.model_fields[name].description or name.replace("_", " ")).rstrip(".")
    return text[:1].upper() + text[1:] + default_note + "."


def field_option(
    model: type[BaseModel], name: str, *decls: str, override: bool = False, default: Any = _MISSING, **kwargs: Any
) -> Any:
    """A Typer option for `model`'s field `name`: help from the field's description, default from the field.

    Args:
        model, name: the pydantic model and its field.
        decls: option names (default `--field-name`).
        override: the option defaults to None, so that only a given value overrides a settings file; the
            help names the model's default.
        default: a default in the option's own unit (e.g. MB for a field in bytes).
        kwargs: passed to `typer.Option` (envvar, min, ...).
    """
    value = field_default(model, name) if default is _MISSING else default
    if override:
        shown = value.value if isinstance(value, Enum) else value
        note = "" if value is None else f" (default: {shown})"
        return typer.Option(None, *decls, help=_help(model, name, note), **kwargs)
    return typer.Option(value, *decls, help=_help(model, name), **kwargs)


def model_or_starter(model: str | None) -> str:
    """The model given, or the starter model shipped in the package (said on stderr)."""
    if model is not None:
        return model
    from unetops.cli.console import err_console
    from unetops.starter import starter_model, starter_note

    path = starter_model()
    err_console.print(f"[yellow]{starter_note(path)}[/]", highlight=False, soft_wrap=True)
    return str(path)
