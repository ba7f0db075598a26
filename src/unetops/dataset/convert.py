"""Per-pair conversion to the spec: colour model, then size (masks by nearest neighbour, re-binarised)."""

from __future__ import annotations

import cv2
import numpy as np

from unetops.dataset.inspect import LoadedPair
from unetops.preprocess import apply_preprocessing
from unetops.spec.model import ColorModel, DatasetSpec, ResizePolicy


def to_color_model(image: np.ndarray, model: ColorModel) -> np.ndarray:
    """RGB (H, W, 3) for rgb; luminance (ITU-R 601) (H, W) for grayscale and binary."""
    if model is ColorModel.rgb:
        return image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def binarise_otsu(gray: np.ndarray) -> np.ndarray:
    """A grayscale image as 0/255 by Otsu's threshold."""
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return binary


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


def convert_pair(pair: LoadedPair, spec: DatasetSpec) -> LoadedPair:
    """Apply the spec's colour model, preprocessing and size to a pair; masks stay boolean, labels integer."""
    image = apply_preprocessing(to_color_model(pair.image, spec.color_model), spec.preprocess)
    mask, instances = pair.mask, pair.instances
    if spec.size is not None:
        image = resize_array(image, spec.size, spec.resize, nearest=False)
        mask = resize_array(mask.astype(np.uint8), spec.size, spec.resize, nearest=True) > 0
        if instances is not None:
            instances = resize_array(instances, spec.size, spec.resize, nearest=True)
    if spec.color_model is ColorModel.binary:
        image = binarise_otsu(image)
    return LoadedPair(image, mask, instances)
