"""`quantify_slides`: many slides on a Dask cluster, each split into blocks of tiles.

Per slide on a local or shared file system, three kinds of task: a plan (thumbnail, tissue, the tiles still
to do), one task per block of tiles (segment and measure them; each finished tile is kept in the slide's work
folder), and a finish (combine the tiles into the results, put in place by one rename). Workers read the
slide and write the results themselves; the client handles only tile numbers, warnings and the slides'
summaries. A block whose worker dies is run again elsewhere and redoes only its unfinished tiles; a slide
whose results are complete is not analysed again. A slide whose results go to object storage is one task
(`quantify_slide_to`).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from unetops.cluster import Failed, outcome_of, run_marked
from unetops.slide.measure import TileMasks
from unetops.slide.quantify import (
    SlideJob,
    finish_slide,
    finished,
    plan_slide,
    quantify_slide_to,
    run_tiles,
    slide_grid,
    start_work,
)
from unetops.slide.readers import open_slide
from unetops.storage import is_remote


@dataclass
class SlidesResult:
    """Each slide's summary (as `quantify_slide` returns it), in input order, and each failed slide's message."""

    documents: dict[Path, dict[str, Any]] = field(default_factory=dict)
    failed: list[tuple[Path, str]] = field(default_factory=list)


def _plan(job: SlideJob) -> dict[str, Any]:
    """Task: the slide's finished summary, or the indices of its tiles still to do (and how many it has)."""
    with open_slide(job.slide) as reader:
        plan = plan_slide(job, reader)
        document = finished(job, plan)
        if document is not None:
            return {"document": document, "tiles": len(plan.tiles)}
        return {"todo": [tile.index for tile in start_work(job, plan)], "tiles": len(plan.tiles)}


def _block(job: SlideJob, masks: TileMasks, indices: list[int]) -> list[list[str]]:
    """Task: segment and measure a block of tiles (those not finished yet); returns their input warnings."""
    wanted = set(indices)
    with open_slide(job.slide) as reader:
        _, _, grid = slide_grid(job, reader)
        todo = [tile for tile in grid.tiles() if tile.index in wanted]
        return run_tiles(reader, grid, todo, job.work, masks, job.config)


def _finish(job: SlideJob, warnings: list[list[str]]) -> dict[str, Any]:
    """Task: the slide's results from its finished tiles."""
    with open_slide(job.slide) as reader:
        return finish_slide(job, plan_slide(job, reader), reader, warnings)


def quantify_slides(
    client: Any,
    jobs: list[SlideJob],
    masks: TileMasks,
    *,
    tiles_per_task: int = 16,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> SlidesResult:
    """Analyse every slide on the cluster of a Dask `client`; a failing slide does not stop the others.

    Args:
        client: a Dask client (`unetops.cluster.connect`).
        jobs: one `SlideJob` per slide; slides, models and outputs must be at the same paths on every worker.
        masks: a tile's nuclei; it must pickle (`worker_model_masks`, `precomputed_masks`).
        tiles_per_task: tiles in one block task (larger: less scheduling per tile; smaller: better balance).
        on_start: called with the number of tiles known so far, as the plans come in.
        on_progress: called with the tiles done.
    """
    from distributed import as_completed

    result = SlidesResult()
    documents: dict[int, dict[str, Any]] = {}
    failures: dict[int, str] = {}
    blocks_left: dict[int, int] = {}
    warnings: dict[int, list[list[str]]] = {}
    roles: dict[Any, tuple[int, str, int]] = {}  # future -> (slide, task kind, tiles in it)
    pending = as_completed()
    total = 0
    batch, numbers = uuid.uuid4().hex[:8], itertools.count()  # task keys unique to this run, readable

    def submit(slide: int, kind: str, task: Callable[[Any], Any], item: Any, tiles: int = 0) -> None:
        key = f"slide-{kind}-{batch}-{jobs[slide].name}-{next(numbers)}"
        future = client.submit(run_marked, task, None, key, item, key=key)
        roles[future] = (slide, kind, tiles)
        pending.add(future)

    first_of_name: dict[str, Path] = {}
    for number, job in enumerate(jobs):
        first = first_of_name.setdefault(str(job.results), job.slide)
        if first != job.slide:
            failures[number] = f"{job.slide}: has the same result folder ({job.results}) as {first}; rename one"
        elif is_remote(job.out):
            submit(number, "whole", partial(quantify_slide_to, masks=masks), job)  # results uploaded when complete
        else:
            submit(number, "plan", _plan, job)
    for future in pending:
        slide, kind, tiles = roles.pop(future)
        job = jobs[slide]
        outcome = outcome_of(future, str(job.slide))
        if slide in failures:
            continue
        if isinstance(outcome, Failed):
            failures[slide] = outcome.message
            continue
        if kind == "plan":
            total += outcome["tiles"]
            if on_start:
                on_start(total)
            if "document" in outcome:
                documents[slide] = outcome["document"]
                if on_progress:
                    on_progress(outcome["tiles"])
                continue
            todo = outcome["todo"]
            if on_progress and outcome["tiles"] > len(todo):
                on_progress(outcome["tiles"] - len(todo))
            blocks = [todo[i : i + tiles_per_task] for i in range(0, len(todo), tiles_per_task)]
            warnings[slide], blocks_left[slide] = [], len(blocks)
            for block in blocks:
                submit(slide, "block", partial(_block, job, masks), block, len(block))
            if not blocks:
                submit(slide, "finish", partial(_finish, job), [])
        elif kind == "block":
            warnings[slide].extend(outcome)
            blocks_left[slide] -= 1
            if on_progress:
                on_progress(tiles)
            if blocks_left[slide] == 0:
                submit(slide, "finish", partial(_finish, job), warnings[slide])
        else:  # a finish, or a whole slide
            if kind == "whole":
                total += outcome["tiles"]["analysed"]
                if on_start:
                    on_start(total)
                if on_progress:
                    on_progress(outcome["tiles"]["analysed"])
            documents[slide] = outcome
    for number, job in enumerate(jobs):
        if number in documents:
            result.documents[job.slide] = documents[number]
        else:
            result.failed.append((job.slide, failures.get(number, f"{job.slide}: not analysed")))
    return result
