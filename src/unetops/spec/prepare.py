"""`prepare_image`: an image as a dataset holds it, shared by dataset build and every prediction."""

from __future__ import annotations

import numpy as np

from unetops.imageio.color import binarise_otsu, to_color_model
from unetops.imageio.resize import resize_array
from unetops.imageio.types import ColorModel
from unetops.preprocess.ops import apply_preprocessing
from unetops.spec.model import DatasetSpec


def prepare_image(image: np.ndarray, spec: DatasetSpec, *, resize: bool = False) -> np.ndarray:
    """A uint8 image in the spec's colour model, preprocessed, resized (when `resize` and the spec has a size)
    and binarised by Otsu for binary datasets: what the build writes and what a model trained on it sees."""
    prepared = apply_preprocessing(to_color_model(image, spec.color_model), spec.preprocess)
    if resize and spec.size is not None:
        prepared = resize_array(prepared, spec.size, spec.resize, nearest=False)
    if spec.color_model is ColorModel.binary:
        prepared = binarise_otsu(prepared)
    return prepared
