"""Summary statistics of a source or built dataset."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np

from unetops.dataset.inspect import ItemReport


def describe(values: Iterable[float]) -> dict[str, float] | None:
    """min, median, mean and max of `values` (None when empty)."""
    array = np.asarray([v for v in values if v is not None], dtype=float)
    if array.size == 0:
        return None
    return {
        "min": round(float(array.min()), 6),
        "median": round(float(np.median(array)), 6),
        "mean": round(float(array.mean()), 6),
        "max": round(float(array.max()), 6),
    }


def summarise(reports: list[ItemReport]) -> dict[str, Any]:
    """Counts, size distribution, foreground fraction, objects per mask and problem counts."""
    readable = [r for r in reports if r.width is not None]
    problems = [p for r in reports for p in r.problems]
    return {
        "items": len(reports),
        "usable": sum(r.usable for r in reports),
        "with_errors": sum(not r.usable for r in reports),
        "tags": dict(sorted(Counter(r.tag or "" for r in reports).items())),
        "sizes": dict(sorted(Counter(f"{r.width}x{r.height}" for r in readable).items())),
        "width": describe(r.width for r in readable),
        "height": describe(r.height for r in readable),
        "foreground_fraction": describe(r.foreground_fraction for r in readable),
        "objects_per_mask": describe(r.objects for r in readable),
        "problems": dict(sorted(Counter(f"{p.severity.value}:{p.code}" for p in problems).items())),
    }
