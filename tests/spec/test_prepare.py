from __future__ import annotations

import numpy as np

from unetops.dataset.convert import convert_pair
from unetops.dataset.inspect import LoadedPair
from unetops.preprocess import Clahe
from unetops.sample import synthetic_ihc_tile
from unetops.spec import ColorModel, DatasetSpec
from unetops.spec.prepare import prepare_image


def test_build_and_prediction_prepare_images_the_same_way() -> None:
    image = synthetic_ihc_tile(np.random.default_rng(0), height=80, width=80).image
    mask = np.zeros((80, 80), bool)
    for color_model in ColorModel:
        spec = DatasetSpec(width=None, height=None, color_model=color_model, preprocess=(Clahe(),))
        built = convert_pair(LoadedPair(image, mask), spec).image
        assert np.array_equal(built, prepare_image(image, spec)), color_model


def test_resize_only_when_asked_and_binary_is_otsu() -> None:
    image = synthetic_ihc_tile(np.random.default_rng(1), height=80, width=80).image
    spec = DatasetSpec(width=40, height=40, color_model=ColorModel.binary)
    assert prepare_image(image, spec).shape == (80, 80)
    small = prepare_image(image, spec, resize=True)
    assert small.shape == (40, 40) and set(np.unique(small)) <= {0, 255}
