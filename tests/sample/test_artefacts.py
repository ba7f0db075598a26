"""Slide artefacts: a fold doubles the stain, a bubble pales the tissue inside a dark rim, a pen mark adds ink;
the slide's truth marks the nuclei they cover."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from unetops.sample.artefacts import SlideArtefacts
from unetops.sample.slide import write_synthetic_slide
from unetops.sample.tissue import tissue_tile


def test_each_artefact_changes_its_own_pixels() -> None:
    tile = tissue_tile(np.random.default_rng(0)).image
    artefacts = SlideArtefacts.draw(np.random.default_rng(1), (0, 0, 256, 256), 0.5)
    out, covered = artefacts.apply(tile, 0, 0)
    masks = artefacts.masks(0, 0, tile.shape[:2])
    od = lambda rgb: -np.log10(np.maximum(rgb.astype(float), 1) / 255).sum(-1)  # noqa: E731
    only = {name: masks[name] & ~np.logical_or.reduce([m for k, m in masks.items() if k != name]) for name in masks}
    assert covered.any() and (out[~covered] == tile[~covered]).all()
    if only["fold"].any():
        assert od(out)[only["fold"]].mean() > 1.5 * od(tile)[only["fold"]].mean()  # tissue lying twice
    if only["pen"].any():
        assert od(out)[only["pen"]].mean() > od(tile)[only["pen"]].mean() + 1  # ink


def test_the_truth_marks_nuclei_under_artefacts(tmp_path: Path) -> None:
    slide = write_synthetic_slide(tmp_path / "s.svs", width=2048, height=2048, seed=0)
    rows = list(csv.DictReader(slide.truth_nuclei.open()))
    assert 0 < slide.artefact_nuclei == sum(int(r["artefact"]) for r in rows) < slide.nuclei
    plain = write_synthetic_slide(tmp_path / "p.svs", width=2048, height=2048, seed=0, artefacts=False)
    assert plain.artefact_nuclei == 0 and plain.nuclei == slide.nuclei
