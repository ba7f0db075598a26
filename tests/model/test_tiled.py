from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from scipy.special import expit

from unetops.model.backends import Backend, load_model
from unetops.model.tiled import predict_probabilities, sliding_window_logits
from unetops.sample import synthetic_ihc_tile


def tile(size: int, seed: int = 0) -> np.ndarray:
    return synthetic_ihc_tile(np.random.default_rng(seed), height=size, width=size, nuclei=size // 6).image


def whole_image(model, image: np.ndarray) -> np.ndarray:
    batch = np.moveaxis(image, -1, 0)[None].astype(np.float32) / 255
    return expit(model.logits(batch))[0, 0]


def position_dependent(batch: np.ndarray) -> np.ndarray:
    """A stand-in network whose output depends on where in the window a pixel is, so blending matters."""
    ramp = np.linspace(-2, 2, batch.shape[-1], dtype=np.float32)
    return batch[:, :1] * 4 + ramp[None, None, None, :] + ramp[None, None, :, None] ** 2


@pytest.mark.parametrize("shape", [(64, 64), (100, 150), (40, 200), (64, 65)])
@pytest.mark.parametrize("overlap", [0.25, 0.5])
def test_sliding_window_matches_monai(shape: tuple[int, int], overlap: float) -> None:
    from monai.inferers import sliding_window_inference

    image = np.random.default_rng(0).random((3, *shape), dtype=np.float32)
    ours = sliding_window_logits(image, position_dependent, 64, overlap)
    theirs = sliding_window_inference(
        torch.from_numpy(image)[None],
        (64, 64),
        4,
        lambda b: torch.from_numpy(position_dependent(b.numpy())),
        overlap=overlap,
        mode="gaussian",
    )[0].numpy()
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_tiling_equals_whole_image_inference_on_an_image_that_fits(tiny_model: Path) -> None:
    model = load_model(tiny_model, Backend.torch)
    image = tile(model.metadata.patch_size)
    np.testing.assert_allclose(
        predict_probabilities(image, model.logits, model.metadata), whole_image(model, image), atol=1e-5
    )


def test_blending_leaves_no_seams(tiny_model: Path) -> None:
    model = load_model(tiny_model, Backend.torch)
    """Windows overlapping by a quarter and blended differ from one pass over the whole image far less along the
    windows' borders than windows side by side do (measured: about a third)."""
    image = tile(160, seed=1)
    whole = whole_image(model, image)
    blended, side_by_side = (
        np.abs(predict_probabilities(image, model.logits, model.metadata, overlap=overlap) - whole)
        for overlap in (0.25, 0.0)
    )
    assert blended.mean() < 0.02
    step = int(model.metadata.patch_size * 0.75)
    borders = [c for c in range(step, 160, step)] + [
        c + model.metadata.patch_size - 1 for c in range(0, 160, step) if c + model.metadata.patch_size < 160
    ]
    cuts = list(range(model.metadata.patch_size, 160, model.metadata.patch_size))  # where side-by-side windows meet
    assert blended[:, borders].mean() < 0.6 * side_by_side[:, cuts].mean()
    assert blended[borders, :].mean() < 0.6 * side_by_side[cuts, :].mean()


def test_bands_agree_with_a_single_pass(tiny_model: Path) -> None:
    model = load_model(tiny_model, Backend.torch)
    image = tile(192, seed=2)
    single = predict_probabilities(image, model.logits, model.metadata)
    banded = predict_probabilities(image, model.logits, model.metadata, band_rows=40)
    assert np.abs(single - banded).mean() < 0.01
    confident = np.abs(single - 0.5) > 0.1
    assert ((single > 0.5) != (banded > 0.5))[confident].mean() < 0.001


def test_onnx_and_torch_backends_agree(tiny_model: Path) -> None:
    image = tile(96, seed=3)
    results = []
    for backend in Backend:
        model = load_model(tiny_model, backend)
        results.append(predict_probabilities(image, model.logits, model.metadata))
    assert np.abs(results[0] - results[1]).max() < 1e-4


def test_flip_tta_and_any_size(tiny_model: Path) -> None:
    model = load_model(tiny_model, Backend.onnx)
    odd = tile(90)[:77, :53]
    plain = predict_probabilities(odd, model.logits, model.metadata)
    flipped = predict_probabilities(odd, model.logits, model.metadata, tta=True)
    assert plain.shape == flipped.shape == (77, 53)
    assert flipped.min() >= 0 and flipped.max() <= 1 and not np.array_equal(plain, flipped)


def test_grayscale_input_to_a_colour_model(tiny_model: Path) -> None:
    model = load_model(tiny_model, Backend.onnx)
    gray = tile(64)[..., 0]
    assert predict_probabilities(gray, model.logits, model.metadata).shape == (64, 64)


def test_missing_onnx_file_names_the_fix(tiny_model: Path, tmp_path: Path) -> None:
    (tmp_path / "model.pt").write_bytes((tiny_model / "model.pt").read_bytes())
    from unetops.errors import ModelError

    with pytest.raises(ModelError, match="unetops export"):
        load_model(tmp_path, Backend.onnx)
