from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers import rgb_image, write_image
from unetops.errors import UnetopsError
from unetops.imageio import read_image
from unetops.imageio.inputs import expand_inputs
from unetops.inference.predict import predict_files
from unetops.model.backends import Backend, load_model


def test_expand_files_folders_and_globs(tmp_path: Path) -> None:
    for name in ("a/1.png", "a/sub/2.jpg", "b/3.png", "b/4.tif"):
        write_image(tmp_path / name, rgb_image(8))
    found = expand_inputs(
        [tmp_path / "a", str(tmp_path / "b" / "*.png"), tmp_path / "b" / "4.tif", tmp_path / "b" / "3.png"]
    )
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a/1.png", "a/sub/2.jpg", "b/3.png", "b/4.tif"]
    with pytest.raises(UnetopsError, match="no such file"):
        expand_inputs([str(tmp_path / "none*.png")])


def test_writes_masks_in_the_specs_naming_and_skips_unreadable_files(tiny_model: Path, tmp_path: Path) -> None:
    write_image(tmp_path / "in" / "good.png", rgb_image(70))
    write_image(tmp_path / "in" / "wide.jpg", rgb_image(50)[:, :40])
    (tmp_path / "in" / "broken.png").write_bytes(b"not a png")
    ticks: list[int] = []
    model = load_model(tiny_model, Backend.onnx)
    summary = predict_files([tmp_path / "in"], model, tmp_path / "out", probabilities=True, on_progress=ticks.append)
    assert sum(ticks) == 3
    assert [(p.name, reason.startswith("cannot decode")) for p, reason in summary.failed] == [("broken.png", True)]
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(
        f"{s}{suffix}" for s in ("good", "wide") for suffix in ("_mask.png", "_probability.png", "_overlay.png")
    )
    mask = read_image(tmp_path / "out" / "wide_mask.png", mask=True).array
    assert mask.shape == (50, 40) and set(np.unique(mask)) <= {0, 255}


def test_a_float_tiff_in_a_folder_is_reported_and_the_others_predicted(tiny_model: Path, tmp_path: Path) -> None:
    import tifffile

    write_image(tmp_path / "in" / "a.png", rgb_image(40))
    tifffile.imwrite(tmp_path / "in" / "f.tif", np.full((40, 40), 7.5, np.float32))
    write_image(tmp_path / "in" / "z.png", rgb_image(40, seed=1))
    summary = predict_files([tmp_path / "in"], load_model(tiny_model), tmp_path / "out")
    assert [(p.name, "floating-point" in m) for p, m in summary.failed] == [("f.tif", True)]
    assert (tmp_path / "out" / "a_mask.png").is_file() and (tmp_path / "out" / "z_mask.png").is_file()


def test_more_nuclei_than_a_png_holds_go_to_a_32_bit_ome_tiff() -> None:
    import io

    import tifffile

    from unetops.inference.predict import MAX_PNG_LABEL, encode_instances

    labels = np.arange(1, 300 * 300 + 1, dtype=np.int32).reshape(300, 300)  # 90,000 nuclei
    assert labels.max() > MAX_PNG_LABEL
    back = tifffile.imread(io.BytesIO(encode_instances(labels, png=False)))
    assert back.dtype == np.uint32 and (back == labels).all()
