"""Source-layout adapters and the registry that picks one for a folder."""

from __future__ import annotations

from pathlib import Path

from unetops.dataset.items import SourceItem
from unetops.dataset.layouts.base import KNOWN_MASK_KEYWORDS, SourceLayout
from unetops.dataset.layouts.csv_manifest import CsvManifestLayout
from unetops.dataset.layouts.dsb2018 import Dsb2018Layout
from unetops.dataset.layouts.geojson import GeoJsonLayout
from unetops.dataset.layouts.nnunet import NnUNetLayout
from unetops.dataset.layouts.one_folder import OneFolderLayout
from unetops.dataset.layouts.separate_folders import SeparateFoldersLayout
from unetops.errors import SourceLayoutError

# Probed in this order: the most specific layouts first.
LAYOUTS: dict[str, type[SourceLayout]] = {
    layout.name: layout
    for layout in (
        CsvManifestLayout,
        NnUNetLayout,
        Dsb2018Layout,
        GeoJsonLayout,
        SeparateFoldersLayout,
        OneFolderLayout,
    )
}


def detect_layout(root: Path) -> type[SourceLayout]:
    """The first registered layout that recognises `root`."""
    for layout in LAYOUTS.values():
        if layout.detect(root):
            return layout
    known = "\n".join(f"  {name}: {layout.summary}" for name, layout in LAYOUTS.items())
    raise SourceLayoutError(
        f"no known dataset layout found; known layouts:\n{known}",
        path=root,
        fix="arrange the files in one of these layouts, or force one with --layout",
    )


def scan_source(
    root: Path, *, layout: str | None = None, mask_keyword: str | None = None
) -> tuple[str, list[SourceItem]]:
    """Find every candidate pair under `root`.

    Args:
        root: the source folder (or CSV manifest).
        layout: a name from `LAYOUTS` to force, or None to auto-detect.
        mask_keyword: suffix of mask stems, or None to try the common ones.

    Returns:
        The layout's name and the items it found, sorted by key.
    """
    if not root.exists():
        raise SourceLayoutError("source not found", path=root, fix="check the path")
    if layout is not None and layout not in LAYOUTS:
        raise SourceLayoutError(f"unknown layout {layout!r}; choose one of: {', '.join(LAYOUTS)}", path=root)
    adapter = LAYOUTS[layout] if layout else detect_layout(root)
    items = adapter(mask_keyword).scan(root)
    if not items:
        raise SourceLayoutError(
            f"no images found for layout {adapter.name!r} ({adapter.summary})",
            path=root,
            fix="check the folder, --layout and --mask-keyword",
        )
    return adapter.name, items


__all__ = ["KNOWN_MASK_KEYWORDS", "LAYOUTS", "SourceItem", "SourceLayout", "detect_layout", "scan_source"]
