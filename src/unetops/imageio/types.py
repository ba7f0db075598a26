"""Image file formats and colour models: the vocabulary shared by image I/O, specs and models."""

from __future__ import annotations

from enum import Enum


class ImageType(str, Enum):
    """File format of the built images."""

    jpg = "jpg"
    png = "png"
    bmp = "bmp"
    tif = "tif"

    @property
    def lossless(self) -> bool:
        return self is not ImageType.jpg


class ColorModel(str, Enum):
    """Colour model of the built images; masks are always single-channel 0/255."""

    rgb = "rgb"
    grayscale = "grayscale"
    binary = "binary"

    @property
    def channels(self) -> int:
        return 3 if self is ColorModel.rgb else 1


class ResizePolicy(str, Enum):
    """How an image reaches width x height: stretch, fit inside with padding, or centre crop."""

    stretch = "stretch"
    fit = "fit"
    crop = "crop"
