from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from unetops.imageio import decode_image, encode_image
from unetops.imageio.masks import binarise_mask, count_objects, merge_instance_masks
from unetops.spec import ImageType

DISC = np.zeros((20, 20), bool)
DISC[5:15, 5:15] = True


def decoded(array: np.ndarray, kind: ImageType = ImageType.png):
    return decode_image(encode_image(array, kind), Path(f"m.{kind.value}"), mask=True)


def codes(array: np.ndarray, kind: ImageType = ImageType.png) -> tuple[np.ndarray, list[str]]:
    binary, notes = binarise_mask(decoded(array, kind))
    return binary, [code for code, _ in notes]


def test_clean_0_255_has_no_notes() -> None:
    binary, found = codes(np.where(DISC, 255, 0).astype(np.uint8))
    assert found == [] and np.array_equal(binary, DISC)


def test_zero_one_mask() -> None:
    binary, found = codes(DISC.astype(np.uint8))
    assert found == ["mask-not-0-255"] and np.array_equal(binary, DISC)


def test_antialiased_edges_are_thresholded_at_half() -> None:
    soft = np.where(DISC, 255, 0).astype(np.uint8)
    soft[4, 5:15] = 100  # below half: background
    soft[15, 5:15] = 200  # above half: foreground
    binary, found = codes(soft)
    assert found == ["mask-antialiased"]
    assert not binary[4].any() and binary[15, 5:15].all()


def test_jpeg_mask_is_flagged_and_cleaned() -> None:
    binary, found = codes(np.where(DISC, 255, 0).astype(np.uint8), ImageType.jpg)
    assert "mask-jpeg" in found
    assert (binary != DISC).sum() <= 4


def test_instance_label_image_keeps_every_label() -> None:
    labels = np.zeros((20, 20), np.uint8)
    labels[2:6, 2:6], labels[10:14, 10:14], labels[15:18, 2:5] = 1, 2, 3
    binary, found = codes(labels)
    assert found == ["mask-labels"] and binary.sum() == 16 + 16 + 9


def test_coloured_rgb_mask() -> None:
    rgb = np.zeros((20, 20, 3), np.uint8)
    rgb[DISC] = (200, 10, 10)
    binary, found = codes(rgb)
    assert found == ["mask-rgb"] and np.array_equal(binary, DISC)


def test_palette_mask() -> None:
    image = Image.fromarray(DISC.astype(np.uint8), "P")
    image.putpalette([0, 0, 0, 255, 255, 0] + [0] * 762)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    binary, notes = binarise_mask(decode_image(buffer.getvalue(), Path("p.png"), mask=True))
    assert [c for c, _ in notes] == ["mask-palette"] and np.array_equal(binary, DISC)


def test_empty_mask() -> None:
    binary, found = codes(np.zeros((5, 5), np.uint8))
    assert found == [] and not binary.any()


def test_merge_instances_and_count() -> None:
    a, b = np.zeros((10, 10), bool), np.zeros((10, 10), bool)
    a[1:4, 1:4], b[6:9, 6:9] = True, True
    labels = merge_instance_masks([a, b])
    assert labels.max() == 2 and (labels > 0).sum() == 18
    assert count_objects(labels > 0) == 2


@pytest.mark.parametrize(("touching", "expected"), [(False, 2), (True, 1)])
def test_count_objects_eight_connected(touching: bool, expected: int) -> None:
    mask = np.zeros((6, 6), bool)
    mask[1, 1] = True
    mask[2 if touching else 4, 2 if touching else 4] = True
    assert count_objects(mask) == expected
