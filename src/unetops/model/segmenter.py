"""`Segmenter`: the one prediction step. Image in, prepared input, probabilities, mask out.

Predict, evaluate, quantify, the service and slides all segment through it, so the preparation, the
tiling and the threshold come from the model's metadata in one place.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from unetops.imageio.types import ColorModel
from unetops.model.backends import Backend, LoadedModel, load_model
from unetops.model.instances import InstanceParams, instances_from_maps
from unetops.model.reference import image_descriptors, image_view, input_refusals, input_warnings
from unetops.model.tiled import Cancel, foreground, predict_maps
from unetops.spec.prepare import prepare_image


@dataclass
class Segmentation:
    """One image's segmentation.

    Attributes:
        image: the uint8 image as given.
        prepared: the image as the model saw it (colour model, preprocessing).
        probabilities: foreground probability (H, W) float32.
        mask: foreground (H, W) bool.
        descriptors: the prepared image's intensity descriptors (for drift monitoring).
        warnings: why the input may be outside what the model was trained on (empty when it looks alike).
        refusals: why it is so far outside that no index should be read from it (empty when it is not).
        instances: an instance model's nuclei (int32 labels, 0 background); None for a binary model, whose
            touching nuclei are split afterwards (`unetops.model.instances.split_touching`).
    """

    image: np.ndarray
    prepared: np.ndarray
    probabilities: np.ndarray
    mask: np.ndarray
    descriptors: dict[str, list[float]]
    warnings: list[str]
    instances: np.ndarray | None = None
    refusals: list[str] = field(default_factory=list)


class Segmenter:
    """A loaded model with its inference settings.

    Args:
        model: a loaded model (`load_model`).
        threshold: foreground probability threshold; default the model's.
        tta: average over horizontal, vertical and both flips.
        window: sliding-window size; default the model's training patch size.
    """

    def __init__(
        self, model: LoadedModel, *, threshold: float | None = None, tta: bool = False, window: int | None = None
    ) -> None:
        self.model = model
        self.threshold = model.metadata.threshold if threshold is None else threshold
        self.tta, self.window = tta, window

    def prepare(self, image: np.ndarray) -> np.ndarray:
        """A uint8 image as the model was trained on it."""
        return prepare_image(image, self.model.metadata.dataset_spec)

    def segment(self, image: np.ndarray, *, prepared: bool = False, cancel: Cancel | None = None) -> Segmentation:
        """Segment a uint8 image of any size.

        Args:
            image: (H, W) or (H, W, 3) uint8.
            prepared: the image is already prepared (a built dataset's image).
            cancel: once set, the prediction stops with `InferenceCancelled` (see `predict_maps`).
        """
        metadata = self.model.metadata
        ready = image if prepared else self.prepare(image)
        descriptors = image_descriptors(image_view(ready))
        rgb_model = metadata.dataset_spec.color_model is ColorModel.rgb
        warnings = input_warnings(image, descriptors, metadata.reference_stats, rgb_model)
        maps = predict_maps(
            ready, self.model.logits, metadata, tta=self.tta, window=self.window, prepared=True, cancel=cancel
        )
        probabilities = foreground(maps)
        instances = None
        if metadata.network.target == "instances":
            params = metadata.instances or InstanceParams()
            instances = instances_from_maps(maps, params.model_copy(update={"foreground_threshold": self.threshold}))
        mask = probabilities > self.threshold
        refusals = input_refusals(image, descriptors, metadata.reference_stats, rgb_model)
        return Segmentation(image, ready, probabilities, mask, descriptors, warnings, instances, refusals)


@functools.lru_cache(maxsize=4)
def worker_segmenter(
    model: str, backend: Backend, *, threshold: float | None = None, tta: bool = False, window: int | None = None
) -> Segmenter:
    """A `Segmenter` loaded once per worker process of a batch, with one inference thread (the workers are the
    parallelism)."""
    return Segmenter(load_model(model, backend, threads=1), threshold=threshold, tta=tta, window=window)
