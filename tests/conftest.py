"""Shared fixtures: one synthetic sample per session."""

from __future__ import annotations

import pytest

from unetops.sample import SampleSummary, write_sample


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleSummary:
    """The default synthetic sample (24 tiles, every planted problem); treat it as read-only."""
    return write_sample(tmp_path_factory.mktemp("sample"))
