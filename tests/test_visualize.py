from __future__ import annotations

from pathlib import Path

import numpy as np

from unetops.imageio import decode_image
from unetops.visualize import (
    LEGEND_HEIGHT,
    PREDICTION_COLOUR,
    TRUTH_COLOUR,
    Histogram,
    Mark,
    histogram_figure,
    histogram_png,
    overlay_outlines,
    with_legend,
)


def test_outlines_in_two_colours_on_a_copy() -> None:
    image = np.full((20, 20), 100, np.uint8)
    prediction = np.zeros((20, 20), bool)
    truth = np.zeros((20, 20), bool)
    prediction[2:8, 2:8] = True
    truth[10:16, 10:16] = True
    out = overlay_outlines(image, prediction, truth)
    assert out.shape == (20, 20, 3) and image[2, 2] == 100
    assert tuple(out[2, 2]) == PREDICTION_COLOUR and tuple(out[10, 10]) == TRUTH_COLOUR
    assert tuple(out[5, 5]) == (100, 100, 100)  # inside is untouched


def test_histogram_png_is_an_image() -> None:
    data = histogram_png(
        {"a": Histogram([1, 2, 2, 3], "a (px)"), "b": Histogram(np.random.default_rng(0).random(50), "b")}
    )
    decoded = decode_image(data, Path("h.png"))
    assert decoded.format == "PNG" and decoded.size[0] > decoded.size[1]


def test_histograms_label_both_axes_and_mark_thresholds() -> None:
    from matplotlib import pyplot as plt

    marks = (Mark(0.2, "positive > 0.2"), Mark(0.4, "2+"))
    figure = histogram_figure({"DAB": Histogram([0.1, 0.3, 0.5], "mean DAB OD", "nuclei", marks)})
    axis = figure.axes[0]
    assert (axis.get_xlabel(), axis.get_ylabel()) == ("mean DAB OD", "nuclei")
    assert [line.get_xdata()[0] for line in axis.get_lines()] == [0.2, 0.4]
    assert [text.get_text() for text in axis.get_legend().get_texts()] == ["positive > 0.2", "2+"]
    plt.close(figure)


def test_legend_strip_below_the_image() -> None:
    entries = [("positive", (200, 60, 20)), ("negative", (30, 90, 230))]
    image = np.full((30, 300, 3), 90, np.uint8)
    out = with_legend(image, entries)
    assert out.shape == (30 + LEGEND_HEIGHT, 300, 3) and np.array_equal(out[:30], image)
    strip = out[30:].reshape(-1, 3)
    assert (strip == (200, 60, 20)).all(axis=1).any() and (strip == (30, 90, 230)).all(axis=1).any()
    narrow = with_legend(np.full((30, 96, 3), 90, np.uint8), entries)  # one entry per row: nothing cut off
    assert narrow.shape == (30 + 2 * LEGEND_HEIGHT, 96, 3)
    assert ((narrow[30 + LEGEND_HEIGHT :] == (30, 90, 230)).all(axis=2)).any()
