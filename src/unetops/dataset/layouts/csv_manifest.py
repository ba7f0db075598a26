"""A CSV manifest with columns `image`, `mask` and optionally `group` (paths relative to the CSV)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path, PurePosixPath

from unetops.dataset.items import SourceItem
from unetops.dataset.layouts.base import SourceLayout
from unetops.errors import SourceLayoutError

REQUIRED_COLUMNS = frozenset({"image", "mask"})


def _header(path: Path) -> set[str]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return {name.strip().lower() for name in next(csv.reader(handle), [])}
    except (OSError, UnicodeDecodeError):
        return set()


def manifest_csv(root: Path) -> Path | None:
    """The manifest: `root` itself if it is a CSV, else the one CSV in `root` with image and mask columns."""
    if root.is_file():
        return root if root.suffix.lower() == ".csv" else None
    found = [p for p in sorted(root.glob("*.csv")) if _header(p) >= REQUIRED_COLUMNS]
    return found[0] if len(found) == 1 else None


class CsvManifestLayout(SourceLayout):
    """Pairs listed in a CSV file; a `group` column names the slide or patient."""

    name = "csv"
    summary = "a CSV manifest with columns image, mask[, group] (paths relative to the CSV)"

    @classmethod
    def detect(cls, root: Path) -> bool:
        return manifest_csv(root) is not None

    def scan(self, root: Path) -> list[SourceItem]:
        path = manifest_csv(root)
        if path is None:
            raise SourceLayoutError(
                "no CSV manifest with columns image and mask found", path=root, fix="pass the CSV file itself"
            )
        if not _header(path) >= REQUIRED_COLUMNS:
            raise SourceLayoutError("CSV manifest lacks the columns image and mask", path=path)
        base = path.parent
        rows: dict[str, dict[str, list]] = defaultdict(lambda: {"images": [], "masks": [], "groups": []})
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
                if not row.get("image"):
                    continue
                key = str(PurePosixPath(row["image"]).with_suffix(""))
                entry = rows[key]
                if base / row["image"] not in entry["images"]:
                    entry["images"].append(base / row["image"])
                if row.get("mask"):
                    entry["masks"].append(base / row["mask"])
                if row.get("group"):
                    entry["groups"].append(row["group"])
        return [
            SourceItem(key, tuple(e["images"]), tuple(e["masks"]), group=(e["groups"] or [None])[0])
            for key, e in sorted(rows.items())
        ]
