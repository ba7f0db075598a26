"""Where a tile's nucleus mask comes from: a model (`model_masks`) or a mask image made elsewhere
(`precomputed_masks`: a TIFF or OME-TIFF at the analysis resolution, read region by region)."""

from __future__ import annotations

import functools
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from unetops.model.backends import Backend, LoadedModel
from unetops.model.segmenter import Segmenter, worker_segmenter
from unetops.quantify.instances import Nuclei
from unetops.slide.measure import TileMasks
from unetops.slide.readers import SlideError
from unetops.slide.tiles import Tile


def model_masks(segmenter: Segmenter) -> TileMasks:
    """The segmenter's mask (and an instance model's instances) of each tile, with its warnings about the input."""

    def masks(pixels: np.ndarray, tile: Tile) -> Nuclei:
        return Nuclei.of(segmenter.segment(pixels))

    return masks


def _worker_prediction(model: str, backend: Backend, pixels: np.ndarray, tile: Tile) -> Nuclei:
    return Nuclei.of(worker_segmenter(model, backend).segment(pixels))


def worker_model_masks(model: LoadedModel) -> TileMasks:
    """`model_masks` for cluster workers: it pickles as the model's file, which each worker loads once."""
    return partial(_worker_prediction, str(model.path), model.backend)


@functools.lru_cache(maxsize=4)
def _mask_array(path: Path) -> Any:
    """A mask TIFF's full-resolution level as a lazily read array (opened once per process)."""
    import tifffile
    import zarr

    try:
        array = zarr.open(tifffile.imread(path, aszarr=True), mode="r")
        array = array["0"] if hasattr(array, "keys") else array  # a pyramid: its full-resolution level
    except Exception as exc:  # tifffile raises many types for a file that is not a readable TIFF
        raise SlideError(f"not a readable mask TIFF: {exc}", path=path) from None
    if len(array.shape) != 2:
        raise SlideError(f"a mask has one channel, this one has shape {array.shape}", path=path)
    return array


def _precomputed_mask(path: Path, pixels: np.ndarray, tile: Tile) -> Nuclei:
    array = _mask_array(path)
    x, y, side = tile.region
    out = np.zeros((side, side), bool)
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(array.shape[1], x + side), min(array.shape[0], y + side)
    if x1 > x0 and y1 > y0:
        out[y0 - y : y1 - y, x0 - x : x1 - x] = np.asarray(array[y0:y1, x0:x1]) > 0
    return Nuclei(out)


def precomputed_masks(path: Path) -> TileMasks:
    """Masks from a single-channel TIFF (non-zero = nucleus) on the analysis grid, never read whole (it pickles,
    for cluster workers, as its path).

    Raises:
        SlideError: the file is not a single-channel TIFF.
    """
    _mask_array(path.resolve())
    return partial(_precomputed_mask, path.resolve())
