"""What the endpoints compute for one decoded image: the mask, its outlines, and nucleus measurements."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from unetops.imageio import encode_image, encode_mask
from unetops.imageio.types import ImageType
from unetops.model.segmenter import Segmenter
from unetops.model.tiled import Cancel
from unetops.monitoring.drift import DriftMonitor
from unetops.quantify.config import QuantifyConfig
from unetops.quantify.run import measure_image, nucleus_rows, qc_overlay, summary_row
from unetops.visualize import overlay_outlines


def png_base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass
class Segmentation:
    """The uint8 image, its predicted binary mask, and the input's warnings."""

    image: np.ndarray
    mask: np.ndarray
    warnings: list[str]

    def mask_png(self) -> bytes:
        return encode_mask(self.mask, ImageType.png)

    def overlay_png(self) -> bytes:
        return encode_image(overlay_outlines(self.image, self.mask), ImageType.png)

    def outlines(self) -> list[list[list[int]]]:
        """Outer contour of every 8-connected object, as [[x, y], ...] polygons."""
        found, _ = cv2.findContours(self.mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        return [contour[:, 0, :].tolist() for contour in found]


def segment(
    image: np.ndarray, segmenter: Segmenter, drift: DriftMonitor | None = None, cancel: Cancel | None = None
) -> Segmentation:
    """Segment `image` (stopping once `cancel` is set), recording its descriptors for drift."""
    result = segmenter.segment(image, cancel=cancel)
    if drift is not None:
        drift.add_descriptors(result.descriptors)
    return Segmentation(image, result.mask, result.warnings)


def quantify(
    segmentation: Segmentation, config: QuantifyConfig, name: str, pixel_size: float | None, images: bool
) -> dict[str, Any]:
    """Per-nucleus rows and the image summary, with the mask and QC overlay as base64 PNG when `images`."""
    labels, features, summary = measure_image(segmentation.image, segmentation.mask, config, pixel_size)
    result: dict[str, Any] = {
        "summary": summary_row(name, summary),
        "warnings": segmentation.warnings,
        "nuclei": nucleus_rows(name, features),
        "profile": config.model_dump(mode="json"),
    }
    if images:
        overlay = qc_overlay(segmentation.image, labels, features, ids=False)
        result["mask_png"] = png_base64(segmentation.mask_png())
        result["overlay_png"] = png_base64(encode_image(overlay, ImageType.png))
    return result
