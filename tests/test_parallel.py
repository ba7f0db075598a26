from __future__ import annotations

import pytest

from unetops.parallel import default_workers, parallel_map


def square(x: int) -> int:
    return x * x


@pytest.mark.parametrize("workers", [1, 2])
def test_results_keep_input_order_and_progress_counts(workers: int) -> None:
    ticks: list[int] = []
    assert parallel_map(square, list(range(40)), workers=workers, on_progress=ticks.append) == [
        x * x for x in range(40)
    ]
    assert sum(ticks) == 40


def test_default_workers_is_positive() -> None:
    assert default_workers() >= 1


def test_empty_input() -> None:
    assert parallel_map(square, [], workers=4) == []
