"""Export a built dataset to layouts other tools load as they are: nnU-Net v2 raw and Pytorch-UNet."""

from __future__ import annotations

import shutil
from enum import Enum
from pathlib import Path

import numpy as np

from unetops import __version__
from unetops.fileio import atomic_directory, atomic_write_bytes, atomic_write_json
from unetops.imageio import encode_image, image_to_uint8, read_image
from unetops.imageio.masks import read_mask
from unetops.spec.manifest import DatasetManifest, read_manifest
from unetops.spec.model import ColorModel, ImageType


class ExportFormat(str, Enum):
    nnunet = "nnunet"
    pytorch_unet = "pytorch-unet"


NNUNET_CHANNELS = {
    ColorModel.rgb: {"0": "R", "1": "G", "2": "B"},
    ColorModel.grayscale: {"0": "L"},
    ColorModel.binary: {"0": "L"},
}


def _write_nnunet(manifest: DatasetManifest, dataset: Path, target: Path, name: str) -> None:
    """imagesTr/labelsTr (train + val), imagesTs/labelsTs (test), PNG, labels 0/1, dataset.json."""
    for item in manifest.items:
        suffix = "Ts" if item.split == "test" else "Tr"
        image = dataset / item.image
        if manifest.spec.image_type is ImageType.png:
            atomic_write_bytes(target / f"images{suffix}" / f"{item.name}_0000.png", image.read_bytes())
        else:
            pixels = image_to_uint8(read_image(image))
            atomic_write_bytes(
                target / f"images{suffix}" / f"{item.name}_0000.png", encode_image(pixels, ImageType.png)
            )
        labels = read_mask(dataset / item.mask).astype(np.uint8)
        atomic_write_bytes(target / f"labels{suffix}" / f"{item.name}.png", encode_image(labels, ImageType.png))
    atomic_write_json(
        target / "dataset.json",
        {
            "channel_names": NNUNET_CHANNELS[manifest.spec.color_model],
            "labels": {"background": 0, "nucleus": 1},
            "numTraining": sum(item.split != "test" for item in manifest.items),
            "file_ending": ".png",
            "name": name,
            "description": f"exported by unetops {__version__} from dataset {manifest.version}",
        },
    )


def _write_pytorch_unet(manifest: DatasetManifest, dataset: Path, target: Path, name: str) -> None:
    """data/imgs + data/masks (`<name>_mask.<ext>`) for train + val; test/imgs + test/masks for test."""
    for item in manifest.items:
        base = target / "test" if item.split == "test" else target
        image, mask = dataset / item.image, dataset / item.mask
        (base / "imgs").mkdir(parents=True, exist_ok=True)
        (base / "masks").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(image, base / "imgs" / f"{item.name}{image.suffix}")
        shutil.copyfile(mask, base / "masks" / f"{item.name}_mask{mask.suffix}")


def export_dataset(
    dataset: Path, out: Path, fmt: ExportFormat, *, dataset_id: int = 501, name: str = "Nuclei", overwrite: bool = False
) -> Path:
    """Write a built dataset in another tool's layout; returns the folder written.

    Args:
        dataset: a folder written by `build_dataset`.
        out: parent folder of the export (nnU-Net: `out/DatasetNNN_Name`; Pytorch-UNet: `out` itself).
        fmt: the target layout.
        dataset_id, name: nnU-Net's dataset number and name.
        overwrite: replace an existing export.
    """
    manifest = read_manifest(dataset)
    target = out / f"Dataset{dataset_id:03d}_{name}" if fmt is ExportFormat.nnunet else out
    writer = _write_nnunet if fmt is ExportFormat.nnunet else _write_pytorch_unet
    with atomic_directory(target, overwrite=overwrite) as staging:
        writer(manifest, dataset, staging, target.name)
    return target
