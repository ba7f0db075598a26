"""Augmentation of image and mask together, with MONAI's random transforms and an HED stain jitter."""

from __future__ import annotations

import numpy as np
from monai.data import get_track_meta, set_track_meta
from monai.transforms import (
    Compose,
    MapTransform,
    RandAdjustContrastd,
    RandAffined,
    RandFlipd,
    Randomizable,
    RandRotate90d,
    RandScaleIntensityd,
    RandShiftIntensityd,
)
from skimage.color import hed_from_rgb, rgb_from_hed

from unetops.train.config import AugmentConfig

KEYS = ("image", "mask")
HED_FROM_RGB = hed_from_rgb.astype(np.float32)
RGB_FROM_HED = rgb_from_hed.astype(np.float32)


class RandHEDJitterd(Randomizable, MapTransform):
    """Scale and shift the hematoxylin, eosin and DAB optical densities of an RGB image (Tellez et al. 2018).

    Args:
        keys: the image key (channel-first RGB in [0, 1]).
        strength: per stain, the scale is drawn from 1 +- strength and the shift from +- strength (OD units).
        prob: probability of applying.
    """

    def __init__(self, keys: str, strength: float, prob: float = 0.5) -> None:
        MapTransform.__init__(self, keys)
        self.strength, self.prob = strength, prob
        self._apply, self._scale, self._shift = False, np.ones(3), np.zeros(3)

    def randomize(self, data: object = None) -> None:
        self._apply = self.R.random() < self.prob
        self._scale = self.R.uniform(1 - self.strength, 1 + self.strength, 3)
        self._shift = self.R.uniform(-self.strength, self.strength, 3)

    def __call__(self, data: dict) -> dict:
        self.randomize()
        if not self._apply:
            return data
        out = dict(data)
        for key in self.key_iterator(out):
            rgb = np.moveaxis(np.asarray(out[key], dtype=np.float32), 0, -1)
            hed = -np.log(np.maximum(rgb, 1e-6)) @ HED_FROM_RGB  # Beer-Lambert: optical density per stain
            hed = hed * self._scale.astype(np.float32) + self._shift.astype(np.float32)
            out[key] = np.moveaxis(np.exp(-(hed @ RGB_FROM_HED)), -1, 0).clip(0, 1)
        return out


class Augmenter:
    """Callable `(image, target, seed) -> (image, target)` on channel-first float arrays (the target a mask or a
    class map, moved with the image); a no-op when disabled."""

    def __init__(self, config: AugmentConfig, channels: int, enabled: bool = True) -> None:
        transforms: list = []
        if enabled and config.flip:
            transforms += [RandFlipd(KEYS, prob=0.5, spatial_axis=0), RandFlipd(KEYS, prob=0.5, spatial_axis=1)]
        if enabled and config.rotate90:
            transforms.append(RandRotate90d(KEYS, prob=0.5, max_k=3))
        if enabled and config.affine:
            transforms.append(
                RandAffined(
                    KEYS,
                    prob=0.3,
                    rotate_range=np.pi / 12,
                    scale_range=0.1,
                    mode=("bilinear", "nearest"),
                    padding_mode=("reflection", "reflection"),
                )
            )
        if enabled and config.intensity:
            transforms += [
                RandScaleIntensityd("image", factors=0.1, prob=0.5),
                RandShiftIntensityd("image", offsets=0.05, prob=0.5),
                RandAdjustContrastd("image", gamma=(0.8, 1.25), prob=0.3),
            ]
        if enabled and config.hed_jitter > 0 and channels == 3:
            transforms.append(RandHEDJitterd("image", config.hed_jitter))
        self.compose = Compose(transforms) if transforms else None

    def __call__(self, image: np.ndarray, mask: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
        if self.compose is None:
            return image, mask
        self.compose.set_random_state(seed=seed)
        tracking = get_track_meta()
        set_track_meta(False)  # plain tensors: MONAI's metadata bookkeeping costs more than a flip
        try:
            out = self.compose({"image": image, "mask": mask})
        finally:
            set_track_meta(tracking)
        # nearest interpolation keeps the target's values (0/1 mask, 0/1/2 classes); rounding removes float noise
        target = np.rint(np.asarray(out["mask"])).astype(np.float32)
        return np.asarray(out["image"], dtype=np.float32).clip(0, 1), target
