"""The `--scheduler` option of the batch commands, and the Dask client it gives."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import typer
from rich.markup import escape

from unetops.cli.console import err_console
from unetops.cluster import LOCAL

SCHEDULER_OPTION = typer.Option(
    LOCAL,
    help="Dask scheduler for the batch: local (a cluster of this machine's cores, one worker each), an address "
    "(tcp://host:8786) or a scheduler file; workers must see the model, inputs and output (shared storage).",
)


WORKERS_OPTION = typer.Option(
    None, min=1, help="Worker processes of the local cluster (default: one per core; 1: run in this process)."
)


@contextlib.contextmanager
def batch_client(scheduler: str, workers: int | None, tasks: int | None = None) -> Iterator[Any | None]:
    """A Dask client for a batch of `tasks` (None: not known yet), with its dashboard address printed; None (run
    in this process) where a local cluster would have a single worker and only add its start-up."""
    from unetops.parallel import default_workers

    if scheduler == LOCAL:
        workers = min(workers or default_workers(), tasks or default_workers())
        if workers <= 1:
            yield None
            return
    from unetops.cluster import connect, dashboard

    with connect(scheduler, workers=workers) as client:
        count = len(client.scheduler_info().get("workers", {}))
        where = dashboard(client)
        err_console.print(
            f"Dask: {count} worker(s) at {escape(client.scheduler.address)}"
            + (f", dashboard {escape(where)}" if where else ""),
            highlight=False,
        )
        yield client
