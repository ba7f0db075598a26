"""Shared consoles, progress bars and output helpers of the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

console = Console(soft_wrap=True)  # long lines (paths) stay whole for copy and paste; tables still fit
err_console = Console(stderr=True, soft_wrap=True)  # paths in messages stay whole too


class RateColumn(ProgressColumn):
    """Items per second, once known."""

    def render(self, task: Task) -> Text:
        return Text("" if task.speed is None else f"{task.speed:.2f}/s")


@contextmanager
def progress_bar(
    description: str, *, rate: bool = False
) -> Iterator[tuple[Callable[[int], None], Callable[[int], None]]]:
    """A progress bar on stderr (items done, with `rate` items per second, time left); yields
    (on_start(total), on_progress(advance)) callbacks for the library."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        *([RateColumn()] if rate else []),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=None)
        yield (lambda total: progress.update(task, total=total)), (lambda n: progress.advance(task, n))


def number_cell(value: float | None, digits: int = 1) -> str:
    """A table cell for a number that may be missing or NaN (not measured)."""
    return "n/a" if value is None or value != value else f"{value:.{digits}f}"
