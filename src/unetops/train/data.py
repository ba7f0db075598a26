"""Loading a built dataset's split for training, and the reference statistics kept for drift monitoring."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from unetops.imageio import image_to_uint8, read_image
from unetops.imageio.masks import connected_components, read_mask
from unetops.model.instances import instance_targets
from unetops.spec.manifest import DatasetManifest
from unetops.train.augment import Augmenter


@dataclass
class Split:
    """One split of a built dataset, in manifest order.

    Attributes:
        images: float32 (C, H, W) in [0, 1].
        targets: float32 (1, H, W): the mask in {0, 1} (binary target) or the class map in {0, 1, 2}
            (background, interior, border: instance target).
        instances: the true instances, int32 (H, W), for the instance target (its thresholds are chosen on them).
    """

    images: list[np.ndarray]
    targets: list[np.ndarray]
    instances: list[np.ndarray]


def has_instance_labels(manifest: DatasetManifest) -> bool:
    """Whether the dataset's train images carry instances of their own, not derived from the binary masks (builds
    before `instances_derived` wrote instances only for sources that had them)."""
    return any(
        item.split == "train" and item.instances and item.instances_derived is not True for item in manifest.items
    )


def load_split(dataset: Path, manifest: DatasetManifest, split: str, target: str) -> Split:
    """A split's images and training targets for `target` (binary or instances), and for instances the true
    instances; only the files the target needs are read."""
    loaded = Split([], [], [])
    for item in manifest.items:
        if item.split != split:
            continue
        image = image_to_uint8(read_image(dataset / item.image))
        image = image[None] if image.ndim == 2 else image.transpose(2, 0, 1)
        loaded.images.append(np.ascontiguousarray(image, dtype=np.float32) / 255.0)
        if target == "instances":
            instances = (
                read_image(dataset / item.instances, mask=True).array.astype(np.int32)
                if item.instances
                else connected_components(read_mask(dataset / item.mask))
            )
            loaded.instances.append(instances)
            target_map = instance_targets(instances)
        else:
            target_map = read_mask(dataset / item.mask)
        loaded.targets.append(target_map.astype(np.float32)[None])
    return loaded


def _random_crop(
    image: np.ndarray, mask: np.ndarray, patch: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A patch x patch crop; images smaller than the patch are zero-padded first."""
    pad_h, pad_w = max(0, patch - image.shape[1]), max(0, patch - image.shape[2])
    if pad_h or pad_w:
        pad = ((0, 0), (pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2))
        image, mask = np.pad(image, pad), np.pad(mask, pad)
    y = int(rng.integers(0, image.shape[1] - patch + 1))
    x = int(rng.integers(0, image.shape[2] - patch + 1))
    return image[:, y : y + patch, x : x + patch], mask[:, y : y + patch, x : x + patch]


class PatchDataset(Dataset):
    """Random patches of the train split, augmented. Sample `i` of epoch `e` depends only on (seed, e, i)."""

    def __init__(
        self,
        images: list[np.ndarray],
        masks: list[np.ndarray],
        patch: int,
        length: int,
        augmenter: Augmenter,
        seed: int,
    ) -> None:
        self.images, self.masks, self.patch, self.length = images, masks, patch, length
        self.augmenter, self.seed, self.epoch = augmenter, seed, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        rng = np.random.default_rng([self.seed, self.epoch, index])
        source = int(rng.integers(len(self.images))) if self.length != len(self.images) else index
        image, mask = _random_crop(self.images[source], self.masks[source], self.patch, rng)
        image, mask = self.augmenter(image, mask, int(rng.integers(2**31)))
        return torch.as_tensor(np.ascontiguousarray(image)), torch.as_tensor(np.ascontiguousarray(mask))
