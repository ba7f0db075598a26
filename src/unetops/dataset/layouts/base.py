"""The contract every source-layout adapter fulfils."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from unetops.dataset.items import SourceItem
from unetops.imageio import is_image_file

KNOWN_MASK_KEYWORDS: tuple[str, ...] = (
    "_mask", "_masks", "-mask", "_label", "_labels", "_seg", "_gt", "_annotation", "_anno", "mask",
)  # fmt: skip


class SourceLayout(ABC):
    """Finds the image/mask pairs of one kind of source folder.

    Subclasses set `name` and `summary`, say whether a folder looks like theirs (`detect`), and list
    every pair they find (`scan`), including incomplete ones: an image without a mask is an item with
    no masks, so that the health check can report it.

    Args:
        mask_keyword: suffix of mask file stems; None tries `KNOWN_MASK_KEYWORDS`.
    """

    name: ClassVar[str]
    summary: ClassVar[str]

    def __init__(self, mask_keyword: str | None = None) -> None:
        self.mask_keyword = mask_keyword

    @classmethod
    @abstractmethod
    def detect(cls, root: Path) -> bool:
        """True when `root` looks like this layout; cheap (names only, no pixels read)."""

    @abstractmethod
    def scan(self, root: Path) -> list[SourceItem]:
        """Every candidate pair under `root`, sorted by key."""

    def strip_keyword(self, stem: str) -> tuple[str, bool]:
        """(stem without the mask keyword, whether a keyword was found)."""
        keywords = (self.mask_keyword,) if self.mask_keyword else KNOWN_MASK_KEYWORDS
        lowered = stem.lower()
        for keyword in keywords:
            if lowered.endswith(keyword.lower()) and len(stem) > len(keyword):
                return stem[: -len(keyword)], True
        return stem, False


def walk_image_files(folder: Path) -> Iterator[Path]:
    """Image files under `folder`, recursively, in sorted order, skipping hidden files and folders."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).parts
        if not any(part.startswith(".") for part in relative) and is_image_file(path):
            yield path


def child_dirs(folder: Path) -> list[Path]:
    """Visible sub-folders of `folder`, sorted."""
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
