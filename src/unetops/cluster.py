"""Batches on Dask distributed: a local cluster or a running one, items marked done, failures kept per item.

A batch is a set of independent items (images, slides). Each runs as a task on a worker, which writes the
item's outputs itself and then its done marker (a small JSON file holding the item's summary). A rerun skips
the marked items, so a batch that crashed continues where it stopped; a task whose worker dies is run again
on another worker by the scheduler; outputs are written atomically under fixed names, so each exists once.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from unetops.errors import UnetopsError
from unetops.fileio import atomic_write_json, dump_json, remove_temporaries, safe_name
from unetops.parallel import default_workers, one_thread_each
from unetops.storage import Location, is_remote, join, read_texts, write_text

T = TypeVar("T")
LOCAL = "local"
MARKERS = ".unetops-done"  # folder of done markers inside an output folder


@dataclass(frozen=True)
class Failed:
    """An item that failed: the problem, and the whole message (which names the file and the fix)."""

    problem: str
    message: str


@dataclass
class BatchResult:
    """Each item's summary (what its task returned), in input order, and each failed item's failure."""

    done: dict[str, Any] = field(default_factory=dict)
    failed: dict[str, Failed] = field(default_factory=dict)


def item_key(path: Path) -> str:
    """A stable, readable key for an input file: its safe stem and a hash of its full path."""
    text = str(path.resolve())
    return f"{safe_name(Path(text).stem, max_length=60)}-{hashlib.sha1(text.encode()).hexdigest()[:10]}"


def fingerprint(*parts: object) -> str:
    """A short hash of what a batch's outputs depend on: markers of another model or settings do not count."""
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Markers:
    """Done markers of one batch: `<out>/.unetops-done/<fingerprint>/<key>.json` (a folder or object storage)."""

    folder: Location

    @classmethod
    def of(cls, out: Location, job: str) -> Markers:
        return cls(join(out, MARKERS, job))

    def load(self, keys: Iterable[str]) -> dict[str, Any]:
        """The summaries of the finished items among `keys` (an item whose marker is unreadable is not done)."""
        summaries = {}
        for name, text in read_texts(self.folder, [f"{key}.json" for key in keys]).items():
            with contextlib.suppress(ValueError, KeyError, TypeError):
                summaries[name.removesuffix(".json")] = json.loads(text)["summary"]
        return summaries

    def mark(self, key: str, summary: Any) -> None:
        target = join(self.folder, f"{key}.json")
        if is_remote(target):
            write_text(str(target), dump_json({"summary": summary}))
        else:
            atomic_write_json(Path(target), {"summary": summary})


def run_marked(task: Callable[[T], Any], markers: Markers | None, key: str, item: T) -> Any:
    """`task(item)` on a worker (one thread per numerical library), then its done marker; an error of the input
    (`UnetopsError`) is the item's `Failed` result, not retried. Module level, so that it pickles."""
    one_thread_each()
    try:
        summary = task(item)
    except UnetopsError as exc:
        return Failed(exc.problem, exc.render())
    if markers is not None:
        markers.mark(key, summary)
    return summary


@contextlib.contextmanager
def connect(scheduler: str = LOCAL, *, workers: int | None = None, timeout: float = 20) -> Iterator[Any]:
    """A Dask client: of a new local cluster (`local`: one single-threaded worker process per core, or
    `workers`), or of the scheduler at an address (`tcp://host:8786`) or in a scheduler file (a path), waiting
    `timeout` seconds for it.

    Raises:
        UnetopsError: the scheduler cannot be reached.
    """
    from distributed import Client, LocalCluster

    if scheduler == LOCAL:
        with (
            LocalCluster(
                n_workers=workers or default_workers(), threads_per_worker=1, processes=True,
                dashboard_address="127.0.0.1:0", host="127.0.0.1",
            ) as cluster,
            Client(cluster) as client,
        ):  # fmt: skip
            yield client
        return
    options = {"scheduler_file": scheduler} if Path(scheduler).is_file() else {"address": scheduler}
    try:
        client = Client(**options, timeout=f"{timeout}s")
    except (OSError, TimeoutError) as exc:
        raise UnetopsError(
            f"cannot reach the Dask scheduler: {exc}", path=scheduler if "scheduler_file" in options else None,
            fix="start it (`dask scheduler`) and give its address, e.g. --scheduler tcp://host:8786",
        ) from None  # fmt: skip
    with client:
        yield client


def dashboard(client: Any) -> str | None:
    """The address of the cluster's dashboard, if it has one (it needs bokeh)."""
    with contextlib.suppress(Exception):
        link = client.dashboard_link
        return link if client.scheduler_info().get("services", {}).get("dashboard") else None
    return None


def outcome_of(future: Any, name: str) -> Any:
    """A finished task's result, or `Failed` for a task that raised (a bug) or whose workers kept dying
    (`KilledWorker`, after the scheduler's allowed failures); `name` names the item in the message."""
    try:
        return future.result()
    except Exception as exc:
        problem = f"{type(exc).__name__}: {exc}"
        return Failed(problem, f"{name}: {problem}")


def map_items(
    client: Any,
    task: Callable[[T], Any],
    items: Mapping[str, T],
    markers: Markers | None,
    *,
    name: str,
    on_progress: Callable[[int], None] | None = None,
) -> BatchResult:
    """`task(item)` for every item not marked done, one Dask task each; goes on past failures.

    `task` must pickle (a module-level function or a `functools.partial` of one) and return a small JSON-able
    summary. Returns every item's summary (from its marker if it was done before) and every failure.
    """
    from distributed import as_completed

    result = BatchResult(done=markers.load(items) if markers is not None else {})
    todo = {key: item for key, item in items.items() if key not in result.done}
    if on_progress and result.done:
        on_progress(len(result.done))
    run = functools.partial(run_marked, task, markers)
    batch = uuid.uuid4().hex[:8]  # task keys unique to this run, readable on the dashboard
    futures = {client.submit(run, key, item, key=f"{name}-{batch}-{key}"): key for key, item in todo.items()}
    for future in as_completed(futures):
        key = futures[future]
        outcome = outcome_of(future, key)
        if isinstance(outcome, Failed):
            result.failed[key] = outcome
        else:
            result.done[key] = outcome
        if on_progress:
            on_progress(1)
    if markers is not None and not is_remote(markers.folder):
        remove_temporaries(Path(markers.folder))  # of markers cut short by a worker's death
    result.done = {key: result.done[key] for key in items if key in result.done}
    return result
