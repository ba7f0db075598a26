"""Read one source item, find everything wrong with it, and return its pixels ready for conversion."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from unetops.dataset.items import SourceItem
from unetops.dataset.problems import Problem, has_errors
from unetops.errors import ImageReadError
from unetops.fileio import sha256_bytes
from unetops.imageio import DecodedImage, decode_image, image_to_uint8
from unetops.imageio.annotations import ANNOTATION_SUFFIX, draw_instances, read_polygons
from unetops.imageio.color import is_grayscale
from unetops.imageio.masks import binarise_mask, count_objects, label_image, merge_instance_masks


@dataclass
class ItemReport:
    """What the health check learnt about one item; small, so it crosses process boundaries cheaply."""

    key: str
    image_file: str | None
    mask_files: list[str]
    tag: str | None = None
    source_split: str | None = None
    group: str | None = None
    problems: list[Problem] = field(default_factory=list)
    image_sha256: str | None = None
    mask_sha256: list[str] = field(default_factory=list)
    width: int | None = None
    height: int | None = None
    foreground_fraction: float | None = None
    objects: int | None = None
    grayscale: bool | None = None

    @property
    def usable(self) -> bool:
        return not has_errors(self.problems)


@dataclass
class LoadedPair:
    """Decoded pixels of a usable item: uint8 image, bool mask, optional int32 instance labels."""

    image: np.ndarray
    mask: np.ndarray
    instances: np.ndarray | None = None


def display_path(path: Path, root: Path) -> str:
    """`path` relative to the source root when it lies under it (POSIX form), else as given."""
    try:
        return path.relative_to(root if root.is_dir() else root.parent).as_posix()
    except ValueError:
        return str(path)


def _structure_problems(item: SourceItem, report: ItemReport) -> None:
    first = report.image_file or (report.mask_files[0] if report.mask_files else item.key)
    if not item.images:
        report.problems.append(Problem("mask-without-image", first, "mask has no matching image", item.key))
    elif len(item.images) > 1:
        names = ", ".join(Path(p).name for p in item.images)
        report.problems.append(
            Problem("several-images", first, f"{len(item.images)} images share this name: {names}", item.key)
        )
    if item.images and not item.masks:
        report.problems.append(Problem("image-without-mask", first, "image has no matching mask", item.key))
    elif len(item.masks) > 1 and not item.merge_instances:
        names = ", ".join(p for p in report.mask_files)
        report.problems.append(
            Problem("several-masks", first, f"{len(item.masks)} masks match this image: {names}", item.key)
        )


def _read(path: Path, root: Path, report: ItemReport, *, mask: bool) -> tuple[DecodedImage, str] | None:
    try:
        data = path.read_bytes()
        return decode_image(data, path, mask=mask), sha256_bytes(data)
    except OSError as exc:
        message = f"cannot read file: {exc.strerror}"
    except ImageReadError as exc:
        message = exc.problem
    report.problems.append(Problem("unreadable", display_path(path, root), message, report.key))
    return None


def _image_notes(decoded: DecodedImage, file: str, key: str) -> list[Problem]:
    notes = []
    if decoded.has_alpha:
        code = "alpha-channel" if decoded.alpha_opaque else "alpha-transparent"
        notes.append(
            Problem(
                code,
                file,
                "image has an alpha channel" + ("" if decoded.alpha_opaque else " with transparent pixels"),
                key,
            )
        )
    if decoded.bit_depth == 16:
        notes.append(Problem("image-16bit", file, "16-bit image; scaled to 8 bits", key))
    if decoded.exif_rotated:
        notes.append(Problem("exif-rotated", file, "EXIF orientation tag rotates the pixels", key))
    return notes


def _read_annotation(
    item: SourceItem, root: Path, report: ItemReport, size: tuple[int, int] | None
) -> tuple[np.ndarray, np.ndarray] | None:
    """A GeoJSON annotation drawn as instances on the image's `size` (w, h; None: the image is unreadable, the
    features are checked all the same); every invalid feature reported."""
    path = item.masks[0]
    file = display_path(path, root)
    try:
        report.mask_sha256.append(sha256_bytes(path.read_bytes()))
        polygons, problems = read_polygons(path, image_size=size)
    except OSError as exc:
        report.problems.append(Problem("unreadable", file, f"cannot read file: {exc.strerror}", item.key))
        return None
    except ImageReadError as exc:
        report.problems.append(Problem("unreadable", file, exc.problem, item.key))
        return None
    report.problems.extend(Problem("annotation-invalid", file, line, item.key) for line in problems)
    if problems or size is None:
        return None
    instances = draw_instances(polygons, (size[1], size[0]))
    return instances > 0, instances


def _read_masks(
    item: SourceItem, root: Path, report: ItemReport, size: tuple[int, int] | None
) -> tuple[np.ndarray, np.ndarray | None] | None:
    """The item's mask and its instances when the source has them (per-object masks, a label image, polygons)."""
    if len(item.masks) == 1 and item.masks[0].suffix.lower() == ANNOTATION_SUFFIX:
        return _read_annotation(item, root, report, size)
    binaries: list[np.ndarray] = []
    seen_codes: set[str] = set()
    instances = None
    for path in item.masks:
        read = _read(path, root, report, mask=True)
        if read is None:
            return None
        decoded, digest = read
        report.mask_sha256.append(digest)
        binary, notes = binarise_mask(decoded)
        instances = label_image(decoded, notes)
        for code, message in notes:
            if code not in seen_codes:
                seen_codes.add(code)
                report.problems.append(Problem(code, display_path(path, root), message, item.key))
        if decoded.exif_rotated:
            report.problems.append(
                Problem("exif-rotated", display_path(path, root), "EXIF orientation tag rotates the mask", item.key)
            )
        if binaries and binary.shape != binaries[0].shape:
            report.problems.append(
                Problem("size-mismatch", display_path(path, root), "instance masks differ in size", item.key)
            )
            return None
        binaries.append(binary)
    if item.merge_instances:
        instances = merge_instance_masks(binaries)
        return instances > 0, instances
    return binaries[0], instances


def load_item(item: SourceItem, root: Path) -> tuple[ItemReport, LoadedPair | None]:
    """Read and check one item.

    Returns:
        The report (every problem found, hashes, statistics) and the decoded pair, or None when the
        item has an error-level problem.
    """
    report = ItemReport(
        key=item.key,
        image_file=display_path(item.images[0], root) if item.images else None,
        mask_files=[display_path(p, root) for p in item.masks],
        tag=item.tag,
        source_split=item.source_split,
        group=item.group,
    )
    _structure_problems(item, report)
    if not report.usable:
        return report, None
    read = _read(item.images[0], root, report, mask=False)
    masks = _read_masks(item, root, report, read[0].size if read else None)  # its problems too, image or not
    if read is None or masks is None:
        return report, None
    decoded, report.image_sha256 = read
    report.width, report.height = decoded.size
    report.problems.extend(_image_notes(decoded, report.image_file or item.key, item.key))
    mask, instances = masks
    if mask.shape != decoded.array.shape[:2]:
        report.problems.append(
            Problem(
                "size-mismatch",
                report.mask_files[0],
                f"mask is {mask.shape[1]}x{mask.shape[0]}, image is {report.width}x{report.height}",
                item.key,
            )
        )
        return report, None
    report.foreground_fraction = float(mask.mean())
    report.objects = int(instances.max()) if instances is not None else count_objects(mask)
    if not mask.any():
        report.problems.append(Problem("empty-mask", report.mask_files[0], "mask has no foreground", item.key))
    image = image_to_uint8(decoded)
    report.grayscale = is_grayscale(image)
    return report, LoadedPair(image, mask, instances)


def inspect_item(item: SourceItem, root: Path) -> ItemReport:
    """The report of `load_item` alone (the health check's unit of work)."""
    return load_item(item, root)[0]
