"""Synthetic immunohistochemistry-like sample data with exact masks and per-nucleus truth."""

from __future__ import annotations

from unetops.sample.crowded import write_crowded_sample
from unetops.sample.source import PLANTED_PROBLEMS, SampleSummary, write_sample
from unetops.sample.synthetic_ihc import STAIN_OD, NucleusTruth, SyntheticTile, synthetic_ihc_tile

__all__ = [
    "PLANTED_PROBLEMS",
    "STAIN_OD",
    "NucleusTruth",
    "SampleSummary",
    "SyntheticTile",
    "synthetic_ihc_tile",
    "write_crowded_sample",
    "write_sample",
]
