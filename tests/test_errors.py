from __future__ import annotations

from pathlib import Path

import pytest

from unetops.errors import DatasetError, ImageReadError, SourceLayoutError, SpecError, UnetopsError


@pytest.mark.parametrize("cls", [SpecError, SourceLayoutError, ImageReadError, DatasetError])
def test_every_error_is_a_unetops_error(cls: type[UnetopsError]) -> None:
    assert issubclass(cls, UnetopsError)


def test_message_names_file_problem_and_fix() -> None:
    error = UnetopsError("mask has no image", path=Path("a/b.png"), fix="add the image")
    assert str(error) == "a/b.png: mask has no image\n  fix: add the image"


def test_message_without_file_or_fix() -> None:
    assert str(UnetopsError("plain")) == "plain"


def test_missing_extra_names_the_extra_only_for_optional_modules() -> None:
    from unetops.errors import missing_extra

    error = missing_extra(ModuleNotFoundError("No module named 'onnxruntime'", name="onnxruntime.capi"))
    assert error is not None and error.fix == "pip install 'unetops[serve]'" and "onnxruntime" in error.problem
    assert missing_extra(ModuleNotFoundError("No module named 'yaml'", name="yaml")) is None
