from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from unetops.dataset.build import build_dataset
from unetops.dataset.check import check_source
from unetops.dataset.export import ExportFormat, export_dataset
from unetops.dataset.layouts import scan_source
from unetops.imageio import image_to_uint8, read_image
from unetops.sample import SampleSummary
from unetops.spec import DatasetSpec, ImageType
from unetops.spec.manifest import read_manifest


@pytest.fixture(scope="module")
def dataset(sample: SampleSummary, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exp") / "dataset"
    build_dataset(
        sample.source,
        DatasetSpec(width=64, height=64, image_type=ImageType.jpg, group_pattern=r"(slide\d+)"),
        out,
        workers=2,
    )
    return out


def pixels(path: Path, *, mask: bool = False) -> np.ndarray:
    return image_to_uint8(read_image(path, mask=mask))


def test_nnunet_round_trip(dataset: Path, tmp_path: Path) -> None:
    target = export_dataset(dataset, tmp_path, ExportFormat.nnunet, dataset_id=7, name="Ki67")
    assert target.name == "Dataset007_Ki67"
    meta = json.loads((target / "dataset.json").read_text())
    manifest = read_manifest(dataset)
    assert meta["channel_names"] == {"0": "R", "1": "G", "2": "B"}
    assert meta["labels"] == {"background": 0, "nucleus": 1} and meta["file_ending"] == ".png"
    assert meta["numTraining"] == len(manifest.items) - manifest.splits["test"]
    layout, items = scan_source(target)
    assert layout == "nnunet" and len(items) == meta["numTraining"]
    by_name = {i.name: i for i in manifest.items}
    for item in items:
        source = by_name[item.key]
        labels = pixels(item.masks[0], mask=True)
        assert set(np.unique(labels)) <= {0, 1}
        np.testing.assert_array_equal(labels * 255, pixels(dataset / source.mask, mask=True))
        np.testing.assert_array_equal(pixels(item.images[0]), pixels(dataset / source.image))
    assert len(list((target / "imagesTs").glob("*_0000.png"))) == manifest.splits["test"]


def test_pytorch_unet_round_trip(dataset: Path, tmp_path: Path) -> None:
    target = export_dataset(dataset, tmp_path / "data", ExportFormat.pytorch_unet)
    manifest = read_manifest(dataset)
    names = sorted(p.stem for p in (target / "imgs").iterdir())
    assert names == sorted(i.name for i in manifest.items if i.split != "test")
    assert all((target / "masks" / f"{n}_mask.png").is_file() for n in names)
    report = check_source(target, workers=1)
    assert report.layout == "separate" and not [p for p in report.problems if p.severity.value == "error"]


def test_export_refuses_a_folder_that_is_not_a_dataset(tmp_path: Path) -> None:
    from unetops.errors import DatasetError

    with pytest.raises(DatasetError, match="not a built dataset"):
        export_dataset(tmp_path, tmp_path / "o", ExportFormat.nnunet)
