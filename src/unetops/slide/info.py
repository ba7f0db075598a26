"""`SlideInfo`: the facts of one slide, whatever reader opened it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SlideInfo:
    """Levels, pixel size and provenance of a slide.

    Attributes:
        path: the slide file.
        reader: the reader that opened it (openslide, tiff, image).
        vendor: the scanner's format (aperio, hamamatsu, mirax, leica, generic-tiff, ome-tiff, png, ...).
        level_dimensions: (width, height) of every pyramid level, full resolution first.
        level_downsamples: each level's downsample from level 0.
        mpp: micrometres per pixel at level 0 (None when the file does not say).
        objective_power: the scan's objective magnification, when recorded.
        associated: names of the associated images (label, macro, thumbnail).
    """

    path: Path
    reader: str
    vendor: str
    level_dimensions: tuple[tuple[int, int], ...]
    level_downsamples: tuple[float, ...]
    mpp: float | None
    objective_power: float | None = None
    associated: tuple[str, ...] = field(default_factory=tuple)

    @property
    def dimensions(self) -> tuple[int, int]:
        """(width, height) at level 0."""
        return self.level_dimensions[0]

    def level_mpp(self, level: int) -> float | None:
        return None if self.mpp is None else self.mpp * self.level_downsamples[level]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path)
        return data
