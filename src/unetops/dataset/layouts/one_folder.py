"""One folder holding images and masks side by side: `<stem>.<ext>` and `<stem><keyword>.<ext>`."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from unetops.dataset.items import SourceItem, folder_context, relative_posix
from unetops.dataset.layouts.base import SourceLayout, walk_image_files


class OneFolderLayout(SourceLayout):
    """Masks beside their images, named by a keyword (`_mask` by default); nested folders become tags."""

    name = "one-folder"
    summary = "images and masks in one folder, masks named <stem><keyword>.<ext> (nested folders are tags)"

    @classmethod
    def detect(cls, root: Path) -> bool:
        probe = cls()
        return any(probe.strip_keyword(path.stem)[1] for path in walk_image_files(root))

    def scan(self, root: Path) -> list[SourceItem]:
        images: dict[str, list[Path]] = defaultdict(list)
        masks: dict[str, list[Path]] = defaultdict(list)
        for path in walk_image_files(root):
            stem, is_mask = self.strip_keyword(path.stem)
            key = str(relative_posix(path.parent, root) / stem).removeprefix("./")
            (masks if is_mask else images)[key].append(path)
        items = []
        for key in sorted(images.keys() | masks.keys()):
            tag, split = folder_context(relative_posix((root / key).parent, root))
            items.append(SourceItem(key, tuple(images[key]), tuple(masks[key]), tag=tag, source_split=split))
        return items
