"""Colour-model consistency across a source: grey images among colour ones are another domain."""

from __future__ import annotations

from unetops.dataset.inspect import ItemReport
from unetops.dataset.problems import Problem
from unetops.imageio.types import ColorModel


def colour_mismatches(reports: list[ItemReport], color_model: ColorModel | None) -> None:
    """Add `color-model-mismatch` to the grey images of a colour dataset.

    The dataset is colour when the spec says rgb, or, without a spec, when most readable images are colour.
    A grey image is converted to grey RGB on build, but a model then trains or is tested on a domain it
    barely sees (for IHC: no stain colour at all).
    """
    readable = [r for r in reports if r.grayscale is not None]
    colour = sum(not r.grayscale for r in readable)
    expects_colour = color_model is ColorModel.rgb if color_model is not None else 2 * colour > len(readable)
    if not expects_colour:
        return
    for report in readable:
        if report.grayscale:
            message = f"grayscale image in a colour (RGB) dataset ({colour} of {len(readable)} images are colour)"
            report.problems.append(
                Problem("color-model-mismatch", report.image_file or report.key, message, report.key)
            )
