"""Kaggle Data Science Bowl 2018: `<id>/images/<id>.png` and `<id>/masks/*.png`, one PNG per nucleus."""

from __future__ import annotations

from pathlib import Path

from unetops.dataset.items import SourceItem
from unetops.dataset.layouts.base import SourceLayout, child_dirs, walk_image_files


def _case_image(case_dir: Path) -> list[Path]:
    images = case_dir / "images"
    return [p for p in walk_image_files(images) if p.stem == case_dir.name] if images.is_dir() else []


class Dsb2018Layout(SourceLayout):
    """One folder per case; its per-nucleus masks are merged into one mask and an instance label image."""

    name = "dsb2018"
    summary = "Kaggle DSB 2018 (<id>/images/<id>.png, <id>/masks/*.png with one nucleus per file)"

    @classmethod
    def detect(cls, root: Path) -> bool:
        return any(_case_image(case) and (case / "masks").is_dir() for case in child_dirs(root))

    def scan(self, root: Path) -> list[SourceItem]:
        items = []
        for case in child_dirs(root):
            images = _case_image(case)
            masks = tuple(walk_image_files(case / "masks")) if (case / "masks").is_dir() else ()
            if images or masks:
                items.append(SourceItem(case.name, tuple(images), masks, merge_instances=True))
        return items
