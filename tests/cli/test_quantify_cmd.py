from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from helpers import write_image, write_mask
from unetops.cli.app import app
from unetops.sample import synthetic_ihc_tile

runner = CliRunner()


def test_quantify_from_masks_and_from_a_model(tiny_model: Path, tmp_path: Path) -> None:
    tile = synthetic_ihc_tile(np.random.default_rng(0), height=96, width=96, nuclei=10)
    write_image(tmp_path / "in" / "a.png", tile.image)
    write_mask(tmp_path / "masks" / "a_mask.png", tile.mask)
    result = runner.invoke(
        app,
        [
            "quantify",
            str(tmp_path / "in"),
            "--masks",
            str(tmp_path / "masks"),
            "-o",
            str(tmp_path / "q"),
            "--pixel-size",
            "0.5",
        ],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "q" / "images.json").read_text())["images"][0]
    assert summary["nuclei"] == len(tile.nuclei) and "low count" in result.output
    by_model = runner.invoke(
        app,
        ["quantify", str(tmp_path / "in"), "--model", str(tiny_model), "-o", str(tmp_path / "m"), "--profile", "her2"],
        terminal_width=200,
    )
    assert by_model.exit_code == 0, by_model.output
    assert "HER2" in by_model.output and "Ki-67" not in by_model.output  # a membrane marker's own column
    assert "her2_score" in json.loads((tmp_path / "m" / "images.json").read_text())["images"][0]
    assert (tmp_path / "m" / "nuclei.csv").is_file()
    both = ["--masks", str(tmp_path / "masks"), "--model", str(tiny_model)]
    assert runner.invoke(app, ["quantify", str(tmp_path / "in"), "-o", str(tmp_path / "x"), *both]).exit_code != 0


def test_long_names_stay_whole_and_grey_inputs_are_explained(tiny_model: Path, tmp_path: Path) -> None:
    tile = synthetic_ihc_tile(np.random.default_rng(1), height=96, width=96, nuclei=10)
    name = "slide01_tile07_region_of_interest_left"
    write_image(tmp_path / "in" / f"{name}.png", tile.image)
    write_image(tmp_path / "in" / "grey_tile.png", tile.image.mean(axis=2).astype(np.uint8))
    result = runner.invoke(
        app,
        ["quantify", str(tmp_path / "in"), "--model", str(tiny_model), "-o", str(tmp_path / "q")],
        terminal_width=80,
    )
    assert result.exit_code == 0, result.output
    assert name in result.output  # whole, on one line, even at 80 columns
    assert "grey_tile: grayscale image, but the model was trained on colour" in " ".join(result.output.split())
    assert "grey_tile: grayscale image: no DAB stain to measure" in " ".join(result.output.split())
    rows = {row["image"]: row for row in json.loads((tmp_path / "q" / "images.json").read_text())["images"]}
    assert rows["grey_tile"]["warnings"].startswith("grayscale image") and rows[name]["warnings"] == ""
    assert rows["grey_tile"]["index_note"].startswith("grayscale image: no DAB stain")
