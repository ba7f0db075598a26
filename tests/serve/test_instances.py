"""A real `unetops serve` of an instance model: the model's own nuclei come back as labels, counts and outlines."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from serve.conftest import serving
from unetops.imageio import encode_image, read_image
from unetops.imageio.types import ImageType
from unetops.model.backends import load_model
from unetops.model.segmenter import Segmenter
from unetops.spec.manifest import read_manifest


def test_segment_and_quantify_return_the_instance_models_nuclei(crowded, tmp_path: Path) -> None:
    dataset, model_dir = crowded
    item = next(i for i in read_manifest(dataset).items if i.split == "test")
    image = read_image(dataset / item.image).array
    expected = Segmenter(load_model(model_dir)).segment(image).instances
    data = encode_image(image, ImageType.png)
    with serving(model_dir, tmp_path) as served:

        def post(path: str, **params) -> httpx.Response:
            files = {"file": ("tile.png", data)}
            return httpx.post(f"{served.url}{path}", params=params, files=files, headers=served.auth, timeout=60)

        labels = np.asarray(Image.open(io.BytesIO(post("/v1/segment", output="instances").content)))
        body = post("/v1/segment", output="json").json()
        quantified = post("/v1/quantify").json()
    assert labels.dtype == np.uint16 and (labels == expected).all()
    assert body["objects"] == expected.max() == len(body["contours"])
    assert quantified["summary"]["nuclei"] <= expected.max() and quantified["summary"]["nuclei"] > 0
