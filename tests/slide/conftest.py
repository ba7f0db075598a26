"""Synthetic slides with exact truth, written once per test session."""

from __future__ import annotations

import pytest

from unetops.sample.slide import SyntheticSlide, write_synthetic_slide


@pytest.fixture(scope="session")
def svs_slide(tmp_path_factory: pytest.TempPathFactory) -> SyntheticSlide:
    """An Aperio-like SVS (OpenSlide), 4096 x 3072 px at 0.5 um/px, levels 1, 4, 16, with a planted hot spot."""
    return write_synthetic_slide(tmp_path_factory.mktemp("slides") / "synthetic.svs", look="simple")


@pytest.fixture(scope="session")
def ome_slide(tmp_path_factory: pytest.TempPathFactory) -> SyntheticSlide:
    """The same slide as an OME-TIFF (tifffile)."""
    return write_synthetic_slide(tmp_path_factory.mktemp("slides") / "synthetic.ome.tif", fmt="ome-tiff", look="simple")
