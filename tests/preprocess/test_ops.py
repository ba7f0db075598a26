from __future__ import annotations

import cv2
import numpy as np
import pytest
from pydantic import ValidationError

from unetops.preprocess import (
    AutoContrast,
    Bilateral,
    Clahe,
    Equalize,
    Gamma,
    Gaussian,
    Macenko,
    Median,
    Reinhard,
    apply_preprocessing,
    fit_stain,
)
from unetops.preprocess.stain import lab_statistics, macenko_stains
from unetops.sample import STAIN_OD, synthetic_ihc_tile
from unetops.spec import ColorModel, DatasetSpec


def ihc(seed: int = 0, **kwargs) -> np.ndarray:
    return synthetic_ihc_tile(np.random.default_rng(seed), height=128, width=128, **kwargs).image


@pytest.mark.parametrize(
    "op", [Equalize(), Clahe(), AutoContrast(), Gamma(gamma=0.7), Median(), Gaussian(), Bilateral()]
)
@pytest.mark.parametrize("channels", [1, 3])
def test_ops_keep_shape_and_dtype(op, channels: int) -> None:
    image = ihc() if channels == 3 else cv2.cvtColor(ihc(), cv2.COLOR_RGB2GRAY)
    out = op.apply(image)
    assert out.shape == image.shape and out.dtype == np.uint8


def test_equalize_works_on_luminance_not_per_channel() -> None:
    gray = cv2.cvtColor(ihc(), cv2.COLOR_RGB2GRAY)
    np.testing.assert_array_equal(Equalize().apply(gray), cv2.equalizeHist(gray))
    rgb = np.zeros((4, 4, 3), np.uint8)
    rgb[..., 0] = np.arange(16).reshape(4, 4) * 10 + 40  # a red ramp
    out = Equalize().apply(rgb)
    assert (out[..., 0].astype(int) >= out[..., 2]).all()  # still red, not three separately stretched channels


def test_auto_contrast_stretches_percentiles() -> None:
    image = np.linspace(100, 150, 10000).reshape(100, 100).astype(np.uint8)
    out = AutoContrast(low=0, high=100).apply(image)
    assert out.min() == 0 and out.max() == 255


def test_gamma_lut() -> None:
    assert Gamma(gamma=2.0).apply(np.array([[0, 128, 255]], np.uint8)).tolist() == [[0, 64, 255]]


def test_median_rejects_even_sizes() -> None:
    with pytest.raises(ValidationError, match="odd"):
        Median(size=4)


def test_reinhard_matches_the_reference_statistics() -> None:
    reference, other = ihc(0), ihc(7, positive_fraction=0.7)
    op = fit_stain(reference, "reinhard")
    assert isinstance(op, Reinhard)
    before, _ = lab_statistics(other)
    after, _ = lab_statistics(op.apply(other))
    np.testing.assert_allclose(after, op.target_mean, atol=2.0)  # uint8 rounding and gamut clipping
    assert np.abs(np.subtract(after, op.target_mean)).sum() < np.abs(np.subtract(before, op.target_mean)).sum() / 3


def test_macenko_recovers_the_hematoxylin_vector() -> None:
    stains, maximum = macenko_stains(ihc(0, positive_fraction=0.0))
    assert np.dot(stains[0], STAIN_OD[0]) > 0.98
    op = fit_stain(ihc(0), "macenko")
    assert isinstance(op, Macenko) and op.apply(ihc(3)).shape == (128, 128, 3)
    assert maximum.shape == (2,)


def test_macenko_leaves_blank_tiles_alone() -> None:
    op = fit_stain(ihc(0), "macenko")
    blank = np.full((16, 16, 3), 250, np.uint8)
    np.testing.assert_array_equal(op.apply(blank), blank)


def test_ops_in_order_and_round_trip_through_a_spec() -> None:
    ops = (Clahe(clip_limit=3.0), fit_stain(ihc(0), "reinhard"), Gamma(gamma=0.9))
    spec = DatasetSpec(preprocess=ops)
    again = DatasetSpec.model_validate_json(spec.model_dump_json())
    assert again.preprocess == ops
    image = ihc(2)
    np.testing.assert_array_equal(
        apply_preprocessing(image, again.preprocess), ops[2].apply(ops[1].apply(ops[0].apply(image)))
    )


def test_stain_normalisation_needs_colour() -> None:
    with pytest.raises(ValidationError, match="needs colour images"):
        DatasetSpec(color_model=ColorModel.grayscale, preprocess=(fit_stain(ihc(0), "reinhard"),))


def test_unknown_op_is_rejected() -> None:
    with pytest.raises(ValidationError):
        DatasetSpec.model_validate({"preprocess": [{"op": "sharpen"}]})
