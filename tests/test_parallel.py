from __future__ import annotations

import contextlib

import pytest

from unetops.parallel import default_workers, limited_threads, parallel_map, pipelined, process_pool


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


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x


def thread_counts(_: int) -> tuple[int, list[int]]:
    import cv2
    from threadpoolctl import threadpool_info

    return cv2.getNumThreads(), [pool["num_threads"] for pool in threadpool_info()]


@pytest.mark.parametrize("workers", [0, 1, 2])
def test_pipelined_keeps_order_and_reads_ahead_only_a_little(workers: int) -> None:
    produced: list[int] = []

    def items():
        for x in range(30):
            produced.append(x)
            yield x

    results = []
    with process_pool(workers) or contextlib.nullcontext() as pool:
        for result in pipelined(square, items(), pool, ahead=2 * workers):
            results.append(result)
            assert len(produced) <= len(results) + 2 * workers  # bounded memory: never the whole input at once
    assert results == [x * x for x in range(30)]


def test_pipelined_raises_the_workers_error() -> None:
    with process_pool(2) as pool, pytest.raises(ValueError, match="three"):
        list(pipelined(fail_on_three, range(10), pool, ahead=4))


def test_workers_and_a_limited_process_keep_to_their_threads() -> None:
    import cv2

    ((opencv, pools),) = parallel_map(thread_counts, [0, 1], workers=2)[:1]
    assert opencv == 1 and set(pools) <= {1}
    before = cv2.getNumThreads()
    with limited_threads(1):
        opencv, pools = thread_counts(0)
        assert opencv == 1 and set(pools) <= {1}
    assert cv2.getNumThreads() == before
