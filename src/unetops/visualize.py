"""Overlays of predicted (and true) outlines on images, for reports, MLflow and the web UI."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np
from skimage.segmentation import find_boundaries

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PREDICTION_COLOUR = (0, 230, 0)
TRUTH_COLOUR = (230, 0, 230)


def overlay_outlines(image: np.ndarray, prediction: np.ndarray, truth: np.ndarray | None = None) -> np.ndarray:
    """An RGB copy of `image` with the outlines of `prediction` in green and of `truth` in magenta."""
    out = image.copy() if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if truth is not None:
        out[find_boundaries(truth, mode="inner")] = TRUTH_COLOUR
    out[find_boundaries(prediction, mode="inner")] = PREDICTION_COLOUR
    return out


LEGEND_HEIGHT = 22


def with_legend(image: np.ndarray, entries: Sequence[tuple[str, tuple[int, int, int]]]) -> np.ndarray:
    """`image` (RGB) above a white strip naming what each outline colour means; entries that do not fit
    beside each other (a small image) go on rows of their own."""
    rows: list[list[tuple[int, str, tuple[int, int, int]]]] = [[]]
    x = 6
    for name, colour in entries:
        width = 24 + cv2.getTextSize(name, cv2.FONT_HERSHEY_SIMPLEX, 0.4, 1)[0][0]
        if rows[-1] and x + width > image.shape[1]:
            rows.append([])
            x = 6
        rows[-1].append((x, name, colour))
        x += width
    strip = np.full((LEGEND_HEIGHT * len(rows), image.shape[1], 3), 255, np.uint8)
    for number, row in enumerate(rows):
        top = number * LEGEND_HEIGHT
        for left, name, colour in row:
            cv2.rectangle(strip, (left, top + 6), (left + 10, top + 16), colour, thickness=-1)
            cv2.putText(strip, name, (left + 14, top + 16), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
    return np.concatenate([image, strip], axis=0)


@dataclass(frozen=True)
class Mark:
    """A vertical line on a histogram: a threshold or a cut-off, named in the legend."""

    value: float
    label: str
    colour: str = "#c0392b"


@dataclass(frozen=True)
class Histogram:
    """One panel: values, the x-axis label (with unit), the y-axis label, and marked values."""

    values: Sequence[float]
    x_label: str
    y_label: str = "count"
    marks: tuple[Mark, ...] = ()


def histogram_figure(panels: Mapping[str, Histogram], *, bins: int = 20, colour: str = "#4a7ab5") -> Figure:
    """One histogram per titled panel, side by side, axes labelled and marks drawn (matplotlib, no display)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels), 3.0))
    for axis, (title, panel) in zip(np.atleast_1d(axes), panels.items(), strict=True):
        axis.hist(np.asarray(panel.values, dtype=float), bins=bins, color=colour)
        axis.set_title(title)
        axis.set_xlabel(panel.x_label)
        axis.set_ylabel(panel.y_label)
        for mark in panel.marks:
            axis.axvline(mark.value, color=mark.colour, linestyle="--", linewidth=1, label=mark.label)
        if panel.marks:
            axis.legend(fontsize="x-small")
    figure.tight_layout()
    return figure


def histogram_png(panels: Mapping[str, Histogram], *, bins: int = 20, colour: str = "#4a7ab5") -> bytes:
    """`histogram_figure` as PNG bytes."""
    from matplotlib import pyplot as plt

    figure = histogram_figure(panels, bins=bins, colour=colour)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    plt.close(figure)
    return buffer.getvalue()
