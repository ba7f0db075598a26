"""`slide_info` and `describe_slides`: what a slide is, with its pixel size, for one slide or a batch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from unetops.errors import UnetopsError
from unetops.slide.info import SlideInfo
from unetops.slide.readers import SlideError, open_slide


def resolved_mpp(info: SlideInfo, mpp: float | None) -> float:
    """The pixel size to use: the one given, else the slide's; a slide without one is an error that says how."""
    if mpp is not None:
        return mpp
    if info.mpp is None:
        raise SlideError(
            "the file records no pixel size (micrometres per pixel)",
            path=info.path,
            fix="give it with --mpp (e.g. --mpp 0.25 for a x40 scan, 0.5 for x20)",
        )
    return info.mpp


def slide_info(path: Path, mpp: float | None = None) -> SlideInfo:
    """A slide's facts, its pixel size resolved (`resolved_mpp`)."""
    with open_slide(path) as reader:
        return replace(reader.info, mpp=resolved_mpp(reader.info, mpp))


def describe_slides(
    paths: list[Path], mpp: float | None = None, on_progress: Callable[[int], None] | None = None
) -> tuple[list[SlideInfo], list[tuple[Path, str]]]:
    """`slide_info` of every slide; one that fails is reported (path, reason) and the batch goes on."""
    infos, failures = [], []
    for path in paths:
        try:
            infos.append(slide_info(path, mpp))
        except UnetopsError as exc:
            failures.append((path, exc.render()))
        if on_progress:
            on_progress(1)
    return infos, failures
