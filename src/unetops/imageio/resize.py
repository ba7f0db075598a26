"""Bringing an image, mask or label image to a target size by a resize policy."""

from __future__ import annotations

import cv2
import numpy as np

from unetops.imageio.types import ResizePolicy


def _resize(array: np.ndarray, width: int, height: int, *, nearest: bool) -> np.ndarray:
    if (array.shape[1], array.shape[0]) == (width, height):
        return array
    if nearest:
        interpolation = cv2.INTER_NEAREST
    else:
        shrinking = width < array.shape[1] and height < array.shape[0]
        interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(array, (width, height), interpolation=interpolation)


def _scaled_size(width: int, height: int, target: tuple[int, int], policy: ResizePolicy) -> tuple[int, int]:
    if policy is ResizePolicy.stretch:
        return target
    pick = min if policy is ResizePolicy.fit else max
    scale = pick(target[0] / width, target[1] / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _place(array: np.ndarray, target: tuple[int, int]) -> np.ndarray:
    """Centre `array` on a zero canvas of `target` (width, height), cropping what does not fit."""
    width, height = target
    canvas = np.zeros((height, width, *array.shape[2:]), dtype=array.dtype)
    src_y, src_x = max(0, (array.shape[0] - height) // 2), max(0, (array.shape[1] - width) // 2)
    dst_y, dst_x = max(0, (height - array.shape[0]) // 2), max(0, (width - array.shape[1]) // 2)
    rows, cols = min(height, array.shape[0]), min(width, array.shape[1])
    canvas[dst_y : dst_y + rows, dst_x : dst_x + cols] = array[src_y : src_y + rows, src_x : src_x + cols]
    return canvas


def resize_array(array: np.ndarray, target: tuple[int, int], policy: ResizePolicy, *, nearest: bool) -> np.ndarray:
    """Bring an array to `target` (width, height) by the policy: stretch, fit with zero padding, or crop."""
    size = _scaled_size(array.shape[1], array.shape[0], target, policy)
    resized = _resize(array, *size, nearest=nearest)
    return resized if size == target else _place(resized, target)
