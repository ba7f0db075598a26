"""What the endpoints compute for one decoded image: the mask, its outlines, and nucleus measurements."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from scipy import ndimage

from unetops.imageio import encode_image, encode_labels, encode_mask
from unetops.imageio.masks import connected_components
from unetops.imageio.types import ImageType
from unetops.model.segmenter import Segmenter
from unetops.model.tiled import Cancel
from unetops.monitoring.drift import DriftMonitor
from unetops.quantify.config import QuantifyConfig
from unetops.quantify.instances import Nuclei
from unetops.quantify.run import measure_image, nucleus_rows, qc_overlay, summary_row
from unetops.visualize import overlay_outlines


def png_base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass
class Segmentation:
    """The uint8 image, its predicted binary mask, an instance model's instances, the input's warnings, and why
    no index should be read from it (empty when it may)."""

    image: np.ndarray
    mask: np.ndarray
    warnings: list[str]
    instances: np.ndarray | None = None
    refusals: list[str] = field(default_factory=list)

    def labels(self) -> np.ndarray:
        """The nuclei as labels 1..N: an instance model's own, else the mask's 8-connected objects."""
        return self.instances if self.instances is not None else connected_components(self.mask)

    def mask_png(self) -> bytes:
        return encode_mask(self.mask, ImageType.png)

    def instances_png(self) -> bytes:
        return encode_labels(self.labels())

    def overlay_png(self) -> bytes:
        return encode_image(overlay_outlines(self.image, self.mask), ImageType.png)

    def outlines(self) -> list[list[list[int]]]:
        """Outer contour of every nucleus (`labels`), as [[x, y], ...] polygons."""
        labels = self.labels()
        polygons = []
        for box, number in zip(ndimage.find_objects(labels), range(1, int(labels.max()) + 1), strict=False):
            if box is None:
                continue
            crop = (labels[box] == number).astype(np.uint8)
            found, _ = cv2.findContours(
                crop, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE, offset=(box[1].start, box[0].start)
            )
            polygons += [contour[:, 0, :].tolist() for contour in found]
        return polygons


def segment(
    image: np.ndarray, segmenter: Segmenter, drift: DriftMonitor | None = None, cancel: Cancel | None = None
) -> Segmentation:
    """Segment `image` (stopping once `cancel` is set), recording its descriptors for drift."""
    result = segmenter.segment(image, cancel=cancel)
    if drift is not None:
        drift.add_descriptors(result.descriptors)
    return Segmentation(image, result.mask, result.warnings, result.instances, result.refusals)


def quantify(
    segmentation: Segmentation, config: QuantifyConfig, name: str, pixel_size: float | None, images: bool
) -> dict[str, Any]:
    """Per-nucleus rows and the image summary, with the mask and QC overlay as base64 PNG when `images`."""
    nuclei = Nuclei(segmentation.mask, segmentation.instances, segmentation.warnings, segmentation.refusals)
    labels, features, summary = measure_image(segmentation.image, nuclei, config, pixel_size)
    result: dict[str, Any] = {
        "summary": summary_row(name, summary),
        "warnings": segmentation.warnings,
        "nuclei": nucleus_rows(name, features),
        "profile": config.model_dump(mode="json"),
    }
    if images:
        overlay = qc_overlay(segmentation.image, labels, features, ids=False, note=summary.get("index_note"))
        result["mask_png"] = png_base64(segmentation.mask_png())
        result["overlay_png"] = png_base64(encode_image(overlay, ImageType.png))
    return result
