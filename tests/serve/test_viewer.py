"""The viewer's open slides: a slide asked for by several requests at once is opened for good once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from unetops.sample.slide import write_synthetic_slide
from unetops.serve import viewer
from unetops.slide.readers import open_slide


def test_a_slide_opened_by_requests_at_once_is_kept_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    slide = write_synthetic_slide(tmp_path / "slide.svs", width=1024, height=1024).path
    opened, closed = [], []

    def slow_open(path: Path):  # every request gets past the first look before any has opened the slide
        reader = open_slide(path)
        close = reader.close
        reader.close = lambda: (closed.append(reader), close())
        opened.append(reader)
        time.sleep(0.3)
        return reader

    monkeypatch.setattr(viewer, "open_slide", slow_open)
    views = viewer.SlideViews()
    start = threading.Barrier(4)
    pyramids = []

    def ask() -> None:
        start.wait()
        pyramids.append(views.pyramid(slide))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(opened) == 4 and len({id(p) for p in pyramids}) == 1  # each opened it; one pyramid serves all
    assert len(closed) == 3 and pyramids[0].reader not in closed  # the others closed, not left open
    assert views.tile(slide, 10, 0, 0)[:2] == b"\xff\xd8"  # a JPEG from the kept one
    views.close()
