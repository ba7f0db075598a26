"""Reference statistics of a model's training images, kept in its metadata so that inputs can be compared
with them (input drift, colour-model mismatch)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import cv2
import numpy as np

from unetops.imageio.color import is_grayscale
from unetops.preprocess.deconvolution import StainVectors, deconvolve

STAINS = ("hematoxylin", "dab")
VIEW_SIDE = 1024
INPUT_SHIFT_FLOOR = 1.0  # shifts up to one reference standard deviation are never worth a warning
REFUSAL_FACTOR = 3.0  # inputs this many times further than the warning bar get no index (`input_refusals`)


def _as_uint8_rgb(image: np.ndarray) -> np.ndarray:
    return np.moveaxis((np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8), 0, -1)


def _stain_od(image: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Per-pixel hematoxylin and DAB OD of a channel-first RGB image in [0, 1]; None for other channel counts."""
    return deconvolve(_as_uint8_rgb(image), StainVectors()) if image.shape[0] == 3 else None


def _describe(image: np.ndarray) -> tuple[dict[str, list[float]], tuple[np.ndarray, np.ndarray] | None]:
    """An image's descriptors, and its per-pixel stain ODs (RGB only), deconvolved once."""
    pixels = image.reshape(image.shape[0], -1)
    descriptors = {
        "channel_mean": pixels.mean(axis=1).tolist(),
        "channel_std": pixels.std(axis=1).tolist(),
        "size": [float(image.shape[1]), float(image.shape[2])],
    }
    od = _stain_od(image)
    if od is not None:
        descriptors["stain_od_mean"] = [float(channel.mean()) for channel in od]
    return descriptors, od


def image_descriptors(image: np.ndarray) -> dict[str, list[float]]:
    """Per-channel mean and std, stain OD means (RGB) and size of a channel-first image in [0, 1]."""
    return _describe(image)[0]


def image_view(prepared: np.ndarray) -> np.ndarray:
    """A prepared uint8 image as descriptors are computed on it: channel-first float in [0, 1], longer side at
    most `VIEW_SIDE` (the statistics do not need every pixel of a large image)."""
    scale = VIEW_SIDE / max(prepared.shape[:2])
    if scale < 1:
        size = (max(1, round(prepared.shape[1] * scale)), max(1, round(prepared.shape[0] * scale)))
        prepared = cv2.resize(prepared, size, interpolation=cv2.INTER_AREA)
    view = prepared.astype(np.float32) / 255.0
    return view[None] if view.ndim == 2 else np.moveaxis(view, -1, 0)


def _shift(values: Sequence[float], reference: Sequence[float], scale: Sequence[float]) -> list[float]:
    return [abs(v - r) / max(s, 1e-6) for v, r, s in zip(values, reference, scale, strict=True)]


def descriptor_shifts(descriptors: Mapping[str, list[float]], reference: Mapping[str, Any]) -> dict[str, float]:
    """How far descriptors (one image's, or a mean over recent images) are from the reference, per component
    (0 = like the training data): channel and stain means in reference standard deviations, channel spread as
    |log2| of the ratio."""
    components: dict[str, float] = {}
    channels = len(reference.get("channel_mean", []))
    if channels and len(descriptors["channel_mean"]) == channels:
        for c, value in enumerate(
            _shift(descriptors["channel_mean"], reference["channel_mean"], reference["channel_std"])
        ):
            components[f"channel_{c}_mean_shift"] = value
        for c, (got, want) in enumerate(zip(descriptors["channel_std"], reference["channel_std"], strict=True)):
            components[f"channel_{c}_spread_log2_ratio"] = abs(math.log2(max(got, 1e-6) / max(want, 1e-6)))
    if "stain_od_mean" in reference and "stain_od_mean" in descriptors:
        shifts = _shift(descriptors["stain_od_mean"], reference["stain_od_mean"], reference["stain_od_std"])
        components.update({f"{stain}_od_shift": value for stain, value in zip(STAINS, shifts, strict=True)})
    return components


def reference_statistics(images: Sequence[np.ndarray]) -> dict[str, Any]:
    """Pooled statistics of channel-first training images in [0, 1], stored in the model's metadata."""
    pixels = np.concatenate([image.reshape(image.shape[0], -1) for image in images], axis=1)
    stats: dict[str, Any] = {
        "channel_mean": pixels.mean(axis=1).round(6).tolist(),
        "channel_std": pixels.std(axis=1).round(6).tolist(),
        "height_mean": float(np.mean([image.shape[1] for image in images])),
        "width_mean": float(np.mean([image.shape[2] for image in images])),
        "images": len(images),
    }
    described = [_describe(image) for image in images]  # each image deconvolved once
    ods = [od for _, od in described if od is not None]
    if ods:
        per_stain = [np.concatenate([od[i].ravel() for od in ods]) for i in range(len(STAINS))]
        stats["stain_od_mean"] = [round(float(v.mean()), 6) for v in per_stain]
        stats["stain_od_std"] = [round(float(v.std()), 6) for v in per_stain]
    scores = [max(descriptor_shifts(descriptors, stats).values(), default=0.0) for descriptors, _ in described]
    stats["image_shift_max"] = round(max(scores), 6)  # the least typical training image: the bar for inputs
    return stats


def _largest_shift(descriptors: Mapping[str, list[float]], reference: Mapping[str, Any]) -> tuple[str, float, float]:
    """The descriptor furthest from the reference, its shift, and the bar a shift must pass to be warned about."""
    shifts = descriptor_shifts(descriptors, reference)
    name, shift = max(shifts.items(), key=lambda item: item[1]) if shifts else ("", 0.0)
    return name, shift, max(INPUT_SHIFT_FLOOR, float(reference.get("image_shift_max", 0.0)))


def input_refusals(
    image: np.ndarray, descriptors: Mapping[str, list[float]], reference: Mapping[str, Any], rgb_model: bool
) -> list[str]:
    """Why no index should be read from a model's output on this input: a grey image for a colour model (no
    stain to read: fluorescence, or a grey scan), or descriptors more than `REFUSAL_FACTOR` times the warning bar
    from the training images (another stain, noise, a blank image)."""
    if rgb_model and is_grayscale(image):
        return ["the image has no colour (fluorescence or a grey scan?), but the model and the stains need "
                "brightfield RGB"]  # fmt: skip
    name, shift, bar = _largest_shift(descriptors, reference)
    if shift > REFUSAL_FACTOR * bar:
        return [f"the image is far outside what the model was trained on ({name} {shift:.1f}, the limit is "
                f"{REFUSAL_FACTOR * bar:.1f})"]  # fmt: skip
    return []


def input_warnings(
    image: np.ndarray, descriptors: Mapping[str, list[float]], reference: Mapping[str, Any], rgb_model: bool
) -> list[str]:
    """Why an input may be outside what a model was trained on: a grey image for a colour model, or descriptors
    further from the reference than every training image was (and more than `INPUT_SHIFT_FLOOR`)."""
    warnings = []
    if rgb_model and is_grayscale(image):
        warnings.append("grayscale image, but the model was trained on colour (RGB) images: check its output")
    name, shift, bar = _largest_shift(descriptors, reference)
    if shift > bar:
        warnings.append(
            f"the image's intensities differ from the training images ({name} {shift:.1f}, training images "
            f"at most {bar:.1f}): another stain, scanner or magnification? check its output"
        )
    return warnings
