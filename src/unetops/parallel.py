"""Order-preserving map over processes, with a progress callback."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def parallel_map(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[R]:
    """`[fn(x) for x in items]` on `workers` processes (all cores by default), results in input order.

    `fn` must be picklable (a module-level function or a `functools.partial` of one). Work is handed out
    in small chunks, so memory holds only the items in flight and their small results.
    """
    workers = min(workers or default_workers(), len(items))
    results: list[R] = []
    if workers <= 1:
        for item in items:
            results.append(fn(item))
            if on_progress:
                on_progress(1)
        return results
    chunksize = max(1, min(16, len(items) // (workers * 8)))
    context = multiprocessing.get_context(
        "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    )
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for result in pool.map(fn, items, chunksize=chunksize):
            results.append(result)
            if on_progress:
                on_progress(1)
    return results
