"""nnU-Net v2 raw datasets: `dataset.json`, `imagesTr/<case>_0000.<ext>`, `labelsTr/<case>.<ext>`."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from unetops.dataset.items import SourceItem
from unetops.dataset.layouts.base import SourceLayout
from unetops.errors import SourceLayoutError

CHANNEL_SUFFIX = re.compile(r"^(?P<case>.+)_(?P<channel>\d{4})$")


def nnunet_file_ending(root: Path) -> str:
    """The `file_ending` that `dataset.json` declares (e.g. `.png`)."""
    path = root / "dataset.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SourceLayoutError(f"cannot read nnU-Net dataset.json: {exc}", path=path) from None
    ending = meta.get("file_ending") if isinstance(meta, dict) else None
    if not isinstance(ending, str) or not ending.startswith("."):
        raise SourceLayoutError(
            "dataset.json has no valid file_ending", path=path, fix='add e.g. "file_ending": ".png"'
        )
    return ending


class NnUNetLayout(SourceLayout):
    """Training cases of an nnU-Net v2 raw dataset; one file per channel, labels 0/1."""

    name = "nnunet"
    summary = "nnU-Net v2 raw dataset (dataset.json, imagesTr/<case>_0000.png, labelsTr/<case>.png)"

    @classmethod
    def detect(cls, root: Path) -> bool:
        return (root / "dataset.json").is_file() and (root / "imagesTr").is_dir()

    def scan(self, root: Path) -> list[SourceItem]:
        ending = nnunet_file_ending(root)
        cases: dict[str, tuple[list[Path], list[Path]]] = defaultdict(lambda: ([], []))
        for path in sorted((root / "imagesTr").glob(f"*{ending}")):
            match = CHANNEL_SUFFIX.match(path.name[: -len(ending)])
            cases[match["case"] if match else path.name[: -len(ending)]][0].append(path)
        labels = root / "labelsTr"
        for path in sorted(labels.glob(f"*{ending}")) if labels.is_dir() else []:
            cases[path.name[: -len(ending)]][1].append(path)
        return [
            SourceItem(case, tuple(images), tuple(masks), source_split="train")
            for case, (images, masks) in sorted(cases.items())
        ]
