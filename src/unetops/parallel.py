"""Order-preserving map over processes, with a progress callback."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import threading
import time
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


PR_SET_PDEATHSIG = 1  # Linux prctl option: a signal for this process when its parent ends
PARENT_POLL_S = 1.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - a pid reused by another user's process
        return False
    return True


def end_with(owner: int) -> None:
    """Pool-worker initializer: end this worker when `owner` (the process that made the pool) is gone.

    A killed build must not leave workers behind. The kernel ends the worker with its parent (on Linux; the
    parent is the forkserver), and a watchdog thread ends it when `owner` itself is gone.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

    def watch() -> None:
        while _alive(owner):
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="unetops-end-with-owner", daemon=True).start()


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
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=end_with, initargs=(os.getpid(),))
    with pool:
        for result in pool.map(fn, items, chunksize=chunksize):
            results.append(result)
            if on_progress:
                on_progress(1)
    return results
