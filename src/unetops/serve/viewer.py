"""What the slide viewer reads: Deep Zoom tiles of a job's slide (kept open and cached), and the nuclei of a
finished job in a region."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from unetops.slide.deepzoom import DeepZoom
from unetops.slide.readers import open_slide

OPEN_SLIDES = 4  # slides kept open at once
CACHED_TILES = 2048  # JPEG tiles kept in memory (about 15 kB each: some 30 MB)
MAX_NUCLEI = 5000  # nuclei returned for one region (the viewer asks for them only at high zoom)
NUCLEUS_FIELDS = ["id", "x", "y", "area_um2", "perimeter_um", "circularity", "solidity", "eccentricity",
                  "hematoxylin_od_mean", "dab_od_mean", "positive", "intensity_bin", "contour"]  # fmt: skip


class SlideViews:
    """Deep Zoom pyramids of the slides being viewed: a few kept open, recent tiles cached (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open: OrderedDict[Path, DeepZoom] = OrderedDict()
        self.tiles: OrderedDict[tuple[Path, int, int, int], bytes] = OrderedDict()

    def pyramid(self, slide: Path) -> DeepZoom:
        """The slide's pyramid (opened on first use; the least recently used one closed beyond `OPEN_SLIDES`)."""
        with self.lock:
            if slide in self.open:
                self.open.move_to_end(slide)
                return self.open[slide]
        pyramid = DeepZoom(open_slide(slide))  # outside the lock: opening a slide takes a while
        with self.lock:
            if slide in self.open:  # another request opened it meanwhile: keep one, close ours
                pyramid.reader.close()
                return self.open[slide]
            self.open[slide] = pyramid
            while len(self.open) > OPEN_SLIDES:
                _, old = self.open.popitem(last=False)
                old.reader.close()
        return pyramid

    def tile(self, slide: Path, level: int, column: int, row: int) -> bytes:
        key = (slide, level, column, row)
        with self.lock:
            if key in self.tiles:
                self.tiles.move_to_end(key)
                return self.tiles[key]
        data = self.pyramid(slide).tile(level, column, row)
        with self.lock:
            self.tiles[key] = data
            while len(self.tiles) > CACHED_TILES:
                self.tiles.popitem(last=False)
        return data

    def close(self) -> None:
        with self.lock:
            for pyramid in self.open.values():
                pyramid.reader.close()
            self.open.clear()


def nuclei_in(table: Path, x: float, y: float, width: float, height: float) -> dict[str, Any]:
    """The nuclei whose centroid lies in a region (level-0 pixels) of a job's `nuclei.parquet`, with their
    outlines and measurements, at most `MAX_NUCLEI` (then `truncated`)."""
    import pyarrow.parquet as pq

    box = [("x", ">=", x), ("x", "<", x + width), ("y", ">=", y), ("y", "<", y + height)]
    found = pq.read_table(table, columns=NUCLEUS_FIELDS, filters=box)
    rows = found.slice(0, MAX_NUCLEI).to_pylist()
    for row in rows:
        row["contour"] = [[round(px, 1), round(py, 1)] for px, py in row["contour"]]
    return {"nuclei": rows, "truncated": found.num_rows > MAX_NUCLEI}
