from __future__ import annotations

import csv
from pathlib import Path

from unetops.fileio import sha256_file
from unetops.sample import PLANTED_PROBLEMS, SampleSummary, write_sample


def test_layout_and_truth(sample: SampleSummary) -> None:
    assert (sample.source / "Ki-67" / "images").is_dir() and (sample.source / "ER" / "masks").is_dir()
    images = list(csv.DictReader((sample.truth / "images.csv").open()))
    nuclei = list(csv.DictReader((sample.truth / "nuclei.csv").open()))
    assert len(images) == 24 and len(nuclei) == sample.nuclei
    for row in images:
        assert (sample.truth / row["marker"] / f"{row['stem']}_instances.png").is_file()
    assert sorted(set(sample.planted.values())) == sorted({*PLANTED_PROBLEMS.values(), "mask-without-image"})


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a, b = write_sample(tmp_path / "a", tiles=14, nuclei=5), write_sample(tmp_path / "b", tiles=14, nuclei=5)
    files = sorted(p.relative_to(a.source.parent) for p in a.source.parent.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b.source.parent) for p in b.source.parent.rglob("*") if p.is_file())
    assert all(sha256_file(a.source.parent / f) == sha256_file(b.source.parent / f) for f in files)
