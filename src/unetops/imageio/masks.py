"""Turning whatever a lab stored as a mask into a clean binary mask, and naming what was unclean.

Rule: a mask whose maximum is its type's maximum (255, or 65535) is thresholded at half that maximum,
which cleans anti-aliased edges and JPEG noise; otherwise every non-zero value is foreground, which
covers 0/1 masks, palette class indices and instance label images (1..N).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from skimage.segmentation import relabel_sequential

from unetops.imageio.read import DecodedImage, mask_values, read_image


def binarise_mask(decoded: DecodedImage) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """A decoded mask as a boolean array, plus (problem code, message) for everything unclean about it."""
    notes: list[tuple[str, str]] = []
    if decoded.mode == "P":
        notes.append(("mask-palette", "palette mask; index 0 is background"))
    elif decoded.array.ndim == 3 and decoded.array.shape[2] >= 3:
        channels = decoded.array[..., :3]
        coloured = not (
            np.array_equal(channels[..., 0], channels[..., 1]) and np.array_equal(channels[..., 1], channels[..., 2])
        )
        notes.append(("mask-rgb", "RGB mask with coloured annotation" if coloured else "grey mask stored as RGB"))
    values = mask_values(decoded)
    top = int(values.max(initial=0))
    if top == 0:
        return np.zeros(values.shape, dtype=bool), notes
    full_scale = values.dtype in (np.uint8, np.uint16) and top == np.iinfo(values.dtype).max
    lossy = decoded.format == "JPEG"
    if lossy:
        notes.append(("mask-jpeg", "JPEG-compressed mask (lossy: edges carry compression noise)"))
    if full_scale or lossy:
        binary = values > top // 2
        intermediate = np.count_nonzero((values > 0) & (values < top))
        if intermediate and not lossy:
            notes.append(("mask-antialiased", f"{intermediate} pixels between 0 and {top} (anti-aliased edges)"))
        return binary, notes
    levels = np.unique(values)
    if len(levels) > 2:
        notes.append(("mask-labels", f"instance label image: {len(levels) - 1} labels, kept as instances"))
    elif not notes:
        notes.append(("mask-not-0-255", f"mask values are 0/{top}"))
    return values > 0, notes


def merge_instance_masks(masks: list[np.ndarray]) -> np.ndarray:
    """Per-object boolean masks merged into one int32 label image (later objects win overlaps)."""
    labels = np.zeros(masks[0].shape, dtype=np.int32)
    for index, mask in enumerate(masks, start=1):
        labels[mask] = index
    return labels


def label_image(decoded: DecodedImage, notes: list[tuple[str, str]]) -> np.ndarray | None:
    """The instances (int32, 1..N) of a mask that `binarise_mask` found to be a label image, else None."""
    if not any(code == "mask-labels" for code, _ in notes):
        return None
    return relabel_sequential(mask_values(decoded).astype(np.int64))[0].astype(np.int32)


def read_mask(path: Path) -> np.ndarray:
    """A mask file as a boolean array, by the rule above (built datasets' 0/255 masks included)."""
    return binarise_mask(read_image(path, mask=True))[0]


def connected_components(mask: np.ndarray) -> np.ndarray:
    """8-connected components of a binary mask as an int32 label image (0 background)."""
    return cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)[1].astype(np.int32)


def count_objects(mask: np.ndarray) -> int:
    """Number of 8-connected foreground objects."""
    return int(connected_components(mask).max())
