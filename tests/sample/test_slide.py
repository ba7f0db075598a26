from __future__ import annotations

import csv
from pathlib import Path

from unetops.sample.slide import write_synthetic_slide


def test_the_same_seed_gives_the_same_slide_and_the_truth_adds_up(tmp_path: Path) -> None:
    a = write_synthetic_slide(tmp_path / "a.svs", width=1024, height=768, seed=3)
    b = write_synthetic_slide(tmp_path / "b.svs", width=1024, height=768, seed=3)
    assert a.path.read_bytes() == b.path.read_bytes()
    rows = list(csv.DictReader(a.truth_nuclei.open()))
    assert len(rows) == a.nuclei and sum(int(r["positive"]) for r in rows) == a.positive
    assert a.tissue_tiles > 0 and 0 < a.ki67_index <= a.hotspot_index and 0 < a.hotspot_nuclei <= a.nuclei
    assert a.hotspot[2] == a.hotspot[3] == 1024
