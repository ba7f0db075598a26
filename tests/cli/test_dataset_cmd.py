from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from unetops.cli.app import app
from unetops.sample import SampleSummary
from unetops.spec.manifest import read_manifest

runner = CliRunner()


def test_check_table_and_exit_code(sample: SampleSummary) -> None:
    result = runner.invoke(app, ["dataset", "check", str(sample.source), "--workers", "1"], terminal_width=200)
    assert result.exit_code == 1
    assert "image-without-mask" in result.output and "errors 4" in result.output
    assert (
        runner.invoke(app, ["dataset", "check", str(sample.source), "--fail-on", "never", "--workers", "1"]).exit_code
        == 0
    )


def test_check_json_to_stdout(sample: SampleSummary) -> None:
    result = runner.invoke(
        app, ["dataset", "check", str(sample.source), "--json", "-", "--fail-on", "never", "--workers", "1"]
    )
    data = json.loads(result.output)
    assert data["layout"] == "separate" and len(data["problems"]) == 15


def test_check_takes_the_group_pattern_from_a_spec(sample: SampleSummary, tmp_path: Path) -> None:
    (tmp_path / "spec.json").write_text(json.dumps({"group_pattern": "nomatch"}))
    result = runner.invoke(
        app,
        [
            "dataset",
            "check",
            str(sample.source),
            "--spec",
            str(tmp_path / "spec.json"),
            "--json",
            "-",
            "--fail-on",
            "never",
        ],
    )
    assert any(p["code"] == "group-unmatched" for p in json.loads(result.output)["problems"])


def test_build_from_the_form_json_and_export(sample: SampleSummary, tmp_path: Path) -> None:
    form = {"_token": "t", "height": "64", "width": "64", "image_type": "1", "color_model": "2", "description": "_gt"}
    (tmp_path / "form.json").write_text(json.dumps(form))
    out = tmp_path / "ds"
    result = runner.invoke(
        app,
        ["dataset", "build", str(sample.source), "--spec", str(tmp_path / "form.json"), "--out", str(out)],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    assert "4 pairs skipped" in result.output
    manifest = read_manifest(out)
    item = manifest.items[0]
    assert item.image == f"{item.split}/{item.name}.jpg" and item.mask == f"{item.split}/{item.name}_gt.png"
    exported = runner.invoke(app, ["dataset", "export", str(out), "--format", "nnunet", "--out", str(tmp_path / "nn")])
    assert exported.exit_code == 0 and (tmp_path / "nn" / "Dataset501_Nuclei" / "dataset.json").is_file()


def test_build_on_error_fail(sample: SampleSummary, tmp_path: Path) -> None:
    (tmp_path / "spec.json").write_text("{}")
    result = runner.invoke(
        app,
        [
            "dataset",
            "build",
            str(sample.source),
            "--spec",
            str(tmp_path / "spec.json"),
            "--out",
            str(tmp_path / "ds"),
            "--on-error",
            "fail",
        ],
    )
    assert result.exit_code != 0 and "pairs have errors" in str(result.exception)
    assert not (tmp_path / "ds").exists()


def test_sample_command(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sample", str(tmp_path / "s"), "--tiles", "14", "--nuclei", "5"])
    assert result.exit_code == 0 and "wrote 14 tiles" in result.output
    assert (tmp_path / "s" / "truth" / "nuclei.csv").is_file()
