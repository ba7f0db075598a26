from __future__ import annotations

from pathlib import Path

import numpy as np

from unetops.imageio import decode_image
from unetops.visualize import PREDICTION_COLOUR, TRUTH_COLOUR, histogram_png, overlay_outlines


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
    data = histogram_png({"a": [1, 2, 2, 3], "b": np.random.default_rng(0).random(50)})
    decoded = decode_image(data, Path("h.png"))
    assert decoded.format == "PNG" and decoded.size[0] > decoded.size[1]
