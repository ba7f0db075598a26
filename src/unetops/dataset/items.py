"""`SourceItem`: one image and its mask(s) as a layout adapter found them, before any file is read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SPLIT_FOLDER_NAMES: dict[str, str] = {
    "train": "train",
    "training": "train",
    "val": "val",
    "valid": "val",
    "validation": "val",
    "test": "test",
    "testing": "test",
}


@dataclass(frozen=True)
class SourceItem:
    """A candidate pair in a source dataset.

    Attributes:
        key: unique, source-relative name of the pair (POSIX path without suffix).
        images: image files found for the key; exactly one is a usable pair.
        masks: mask files found for the key; exactly one, or several with `merge_instances`.
        merge_instances: `masks` are one file per object (Kaggle DSB 2018), merged into one mask.
        tag: nested folder naming a subset such as a marker (`Ki-67`, `ER`), split folders left out.
        source_split: split named by a folder of the source (`train`, `val`, `test`), if any.
        group: slide or patient given by the source itself (CSV `group` column), if any.
    """

    key: str
    images: tuple[Path, ...]
    masks: tuple[Path, ...]
    merge_instances: bool = False
    tag: str | None = None
    source_split: str | None = None
    group: str | None = None


def folder_context(relative_dir: PurePosixPath) -> tuple[str | None, str | None]:
    """Split a source-relative folder into (tag, source split): split-named parts become the split."""
    tag_parts: list[str] = []
    split = None
    for part in relative_dir.parts:
        canonical = SPLIT_FOLDER_NAMES.get(part.lower())
        if canonical:
            split = canonical
        else:
            tag_parts.append(part)
    return ("/".join(tag_parts) or None), split


def relative_posix(path: Path, root: Path) -> PurePosixPath:
    """`path` relative to `root` as a POSIX path (the form used in keys, manifests and messages)."""
    return PurePosixPath(path.relative_to(root).as_posix())
