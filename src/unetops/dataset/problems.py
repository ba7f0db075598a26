"""Health-check problems: a catalogue of codes, each with its severity and the fix a user applies."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """error: the pair cannot be used as it is; warning: fixed on build, worth a look; info: fixed on build."""

    error = "error"
    warning = "warning"
    info = "info"


CATALOGUE: dict[str, tuple[Severity, str]] = {
    "image-without-mask": (Severity.error, "add the mask (<stem><keyword>.<ext>) or move the image out of the source"),
    "mask-without-image": (Severity.error, "add the image or remove the mask; check the mask keyword (--mask-keyword)"),
    "several-masks": (Severity.error, "keep one mask per image (or merge them) and remove the others"),
    "several-images": (Severity.error, "keep one image per stem; rename or remove the others"),
    "unreadable": (Severity.error, "re-export the file from the original software or remove the pair"),
    "size-mismatch": (Severity.error, "re-export the mask at the image's size"),
    "group-across-splits": (Severity.error, "move every file of the group into one split folder"),
    "mask-antialiased": (Severity.warning, "export masks without anti-aliasing; the build thresholds them at 50%"),
    "mask-jpeg": (Severity.warning, "store masks losslessly (PNG); the build thresholds them at 50%"),
    "mask-labels": (Severity.info, "none: the labels are kept as instances, every non-zero pixel is foreground"),
    "annotation-invalid": (Severity.error, "correct or remove the feature in QuPath and export the annotations again"),
    "mask-rgb": (Severity.warning, "save masks as single-channel images; the build keeps any channel above 50%"),
    "mask-palette": (Severity.info, "none: palette index 0 is background, every other index foreground"),
    "mask-not-0-255": (Severity.info, "none: the build writes masks as 0/255"),
    "empty-mask": (Severity.warning, "check the annotation; an empty mask is kept as a background-only example"),
    "alpha-channel": (Severity.info, "none: the alpha channel is dropped on build"),
    "alpha-transparent": (
        Severity.warning,
        "check the image: transparent pixels keep their colour when alpha is dropped",
    ),
    "color-model-mismatch": (
        Severity.warning,
        "remove it or use its colour original; if the images are grey by nature, build with color_model grayscale",
    ),
    "image-16bit": (Severity.warning, "none, if full-range scaling to 8 bits (x 255/65535) suits the images"),
    "exif-rotated": (Severity.info, "none: the EXIF orientation is applied on build"),
    "duplicate": (Severity.warning, "remove one copy; until then duplicates share a group so they stay in one split"),
    "group-unmatched": (Severity.warning, "adjust group_pattern so that it matches every path"),
    "link-not-followed": (
        Severity.warning,
        "copy the files into the source, or point the command at the link's target; links are never followed",
    ),
}


@dataclass(frozen=True)
class Problem:
    """One finding about one file of the source."""

    code: str
    file: str
    message: str
    key: str | None = None

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise ValueError(f"unknown problem code {self.code!r}")

    @property
    def severity(self) -> Severity:
        return CATALOGUE[self.code][0]

    @property
    def fix(self) -> str:
        return CATALOGUE[self.code][1]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "severity": self.severity.value, "fix": self.fix}


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity is Severity.error for p in problems)
