"""Order-preserving maps over processes: a list with a progress callback, and a lazy pipeline."""

from __future__ import annotations

import collections
import contextlib
import ctypes
import functools
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
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


def _limit_threads(threads: int) -> Callable[[], None]:
    """At most `threads` threads in each loaded numerical library's pool (BLAS, OpenMP, OpenCV); returns the call
    that restores the limits as they were."""
    import cv2
    from threadpoolctl import threadpool_limits

    before = cv2.getNumThreads()
    cv2.setNumThreads(threads)
    limits = threadpool_limits(threads)

    def restore() -> None:
        limits.restore_original_limits()
        cv2.setNumThreads(before)

    return restore


@contextlib.contextmanager
def limited_threads(threads: int) -> Iterator[None]:
    """`_limit_threads` while inside: a process that shares the cores with worker processes keeps to its share
    (idle BLAS threads spinning on a busy core cost a third of a slide's time)."""
    restore = _limit_threads(threads)
    try:
        yield
    finally:
        restore()


@functools.cache
def one_thread_each() -> None:
    """One thread per numerical library for the rest of this process's life: in a worker process, the workers
    are the parallelism. Once per process."""
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # libraries loaded later
        os.environ[variable] = "1"
    _limit_threads(1)  # libraries already loaded


def worker_start(owner: int) -> None:
    """Pool-worker initializer: end with `owner` (`end_with`), and `one_thread_each`."""
    end_with(owner)
    one_thread_each()


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
    with process_pool(workers) as pool:
        assert pool is not None
        for result in pool.map(fn, items, chunksize=chunksize):
            results.append(result)
            if on_progress:
                on_progress(1)
    return results


def process_pool(workers: int) -> ProcessPoolExecutor | None:
    """A pool of `workers` processes that end when this process ends (however it ends); None for no workers.
    Use it as a context manager (`contextlib.nullcontext` stands in for None)."""
    if workers < 1:
        return None
    context = multiprocessing.get_context(
        "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    )
    owner = (os.getpid(),)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=worker_start, initargs=owner)


def pipelined(fn: Callable[[T], R], items: Iterable[T], pool: ProcessPoolExecutor | None, *, ahead: int) -> Iterator[R]:
    """`fn(x)` for each `x` of a lazy iterable on `pool` (None: in this process), results in input order.

    The iterable is consumed here while the pool works, at most `ahead` items beyond the oldest unfinished one
    (so producing, such as a slide's inference, overlaps consuming, such as its measuring, and memory stays
    bounded; two per worker keeps every worker busy). Stopped early, the items not started are cancelled.
    """
    if pool is None:
        yield from map(fn, items)
        return
    pending: collections.deque = collections.deque()
    try:
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) > ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


def in_background(pool: ProcessPoolExecutor | None, fn: Callable[..., R], *args: object) -> Callable[[], R]:
    """`fn(*args)` started on `pool` (None: run here, now); returns the call that waits for its result (and
    raises its error)."""
    if pool is None:
        result = fn(*args)
        return lambda: result
    return pool.submit(fn, *args).result
