from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from helpers import FORM_JSON
from unetops.cli.app import app
from unetops.spec import DatasetSpec, load_spec

runner = CliRunner()


def test_init_writes_a_valid_spec(tmp_path: Path) -> None:
    out = tmp_path / "spec.json"
    args = [
        "spec",
        "init",
        "-o",
        str(out),
        "--width",
        "256",
        "--height",
        "128",
        "--color-model",
        "grayscale",
        "--group-pattern",
        r"(slide\d+)",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    spec = load_spec(out)
    assert (spec.width, spec.height, spec.color_model.value, spec.group_pattern) == (
        256,
        128,
        "grayscale",
        r"(slide\d+)",
    )
    assert runner.invoke(app, args).exit_code != 0  # exists without --force


def test_init_to_stdout_with_native_size() -> None:
    result = runner.invoke(app, ["spec", "init", "--native-size"])
    assert json.loads(result.output)["width"] is None


def test_init_rejects_fractions_that_do_not_sum_to_one() -> None:
    result = runner.invoke(app, ["spec", "init", "--train", "0.9"])
    assert result.exit_code != 0 and "must be 1" in str(result.exception)


def test_schema_is_the_models_schema() -> None:
    result = runner.invoke(app, ["spec", "schema"])
    assert json.loads(result.output) == DatasetSpec.model_json_schema()


def test_validate_the_form_json(tmp_path: Path) -> None:
    (tmp_path / "form.json").write_text(json.dumps(FORM_JSON))
    result = runner.invoke(app, ["spec", "validate", str(tmp_path / "form.json")])
    assert result.exit_code == 0 and "valid" in result.output
    normalised = json.loads(result.output[result.output.index("{") :])
    assert normalised["layout"] == "separate" and normalised["image_type"] == "png"


def test_validate_lists_every_problem(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(json.dumps({"width": "x", "image_type": "gif"}))
    result = runner.invoke(app, ["spec", "validate", str(tmp_path / "bad.json")])
    message = str(result.exception)
    assert result.exit_code != 0 and "width" in message and "image_type" in message
