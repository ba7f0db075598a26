"""Polygon annotations exported from QuPath: `<stem>.<ext>` images with a `<stem>.geojson` beside each (or
`<stem><keyword>.geojson`); every polygon is one nucleus, drawn as an instance."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from unetops.dataset.items import SourceItem, folder_context, relative_posix
from unetops.dataset.layouts.base import SourceLayout, walk_tree
from unetops.imageio import is_image_file
from unetops.imageio.annotations import ANNOTATION_SUFFIX


class GeoJsonLayout(SourceLayout):
    """Images with one GeoJSON annotation file each (Polygon and MultiPolygon features, holes kept); nested
    folders become tags."""

    name = "geojson"
    summary = "images with QuPath GeoJSON annotations beside them: <stem>.<ext>, <stem>.geojson (a polygon a nucleus)"

    def _files(self, root: Path) -> tuple[dict[str, list[Path]], dict[str, list[Path]]]:
        images: dict[str, list[Path]] = defaultdict(list)
        annotations: dict[str, list[Path]] = defaultdict(list)
        for top, _, names in walk_tree(root):
            for name in names:
                path = top / name
                if path.is_symlink():
                    continue
                if path.suffix.lower() == ANNOTATION_SUFFIX:
                    stem = self.strip_keyword(path.stem)[0]
                    annotations[str(relative_posix(top, root) / stem).removeprefix("./")].append(path)
                elif is_image_file(path):
                    images[str(relative_posix(top, root) / path.stem).removeprefix("./")].append(path)
        return images, annotations

    @classmethod
    def detect(cls, root: Path) -> bool:
        images, annotations = cls()._files(root)
        return bool(images.keys() & annotations.keys())

    def scan(self, root: Path) -> list[SourceItem]:
        images, annotations = self._files(root)
        items = []
        for key in sorted(images.keys() | annotations.keys()):
            tag, split = folder_context(relative_posix((root / key).parent, root))
            items.append(SourceItem(key, tuple(images[key]), tuple(annotations[key]), tag=tag, source_split=split))
        return items
