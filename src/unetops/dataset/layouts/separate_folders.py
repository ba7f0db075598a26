"""Separate image and mask folders (`images/masks`, `imgs/masks`, `original/mask`, `x/labels`, ...)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path, PurePosixPath

from unetops.dataset.items import SourceItem, folder_context, relative_posix
from unetops.dataset.layouts.base import SourceLayout, child_dirs, walk_image_files, walk_tree

IMAGE_FOLDER_NAMES = frozenset(
    {"images", "image", "imgs", "img", "original", "originals", "raw", "input", "inputs", "x", "data"}
)
MASK_FOLDER_NAMES = frozenset(
    {
        "masks", "mask", "labels", "label", "gt", "groundtruth", "ground_truth", "annotations", "annotation",
        "segmentation", "segmentations", "targets", "target", "y",
    }
)  # fmt: skip


def _folder_pairs(root: Path) -> list[tuple[Path, Path]]:
    """(image folder, mask folder) siblings anywhere under `root` (including `root` itself)."""
    pairs = []
    for folder, _, _ in walk_tree(root):
        children = {child.name.lower(): child for child in child_dirs(folder)}
        image_dirs = [children[n] for n in sorted(children) if n in IMAGE_FOLDER_NAMES]
        mask_dirs = [children[n] for n in sorted(children) if n in MASK_FOLDER_NAMES]
        if image_dirs and mask_dirs:
            pairs.append((image_dirs[0], mask_dirs[0]))
    return pairs


class SeparateFoldersLayout(SourceLayout):
    """Images in one folder, masks in a sibling folder, paired by stem with or without the keyword."""

    name = "separate"
    summary = "sibling image and mask folders (images/masks, imgs/masks, original/mask, ...), paired by stem"

    @classmethod
    def detect(cls, root: Path) -> bool:
        return bool(_folder_pairs(root))

    def scan(self, root: Path) -> list[SourceItem]:
        items: list[SourceItem] = []
        for image_dir, mask_dir in _folder_pairs(root):
            parent = relative_posix(image_dir.parent, root)
            found: dict[PurePosixPath, tuple[list[Path], list[Path]]] = defaultdict(lambda: ([], []))
            for path in walk_image_files(image_dir):
                found[relative_posix(path.parent, image_dir) / path.stem][0].append(path)
            for path in walk_image_files(mask_dir):
                stem, _ = self.strip_keyword(path.stem)
                found[relative_posix(path.parent, mask_dir) / stem][1].append(path)
            for name in sorted(found):
                images, masks = found[name]
                key = str(parent / name).removeprefix("./")
                tag, split = folder_context(parent / name.parent)
                items.append(SourceItem(key, tuple(images), tuple(masks), tag=tag, source_split=split))
        return sorted(items, key=lambda item: item.key)
