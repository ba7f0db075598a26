"""`predict_files`: masks (and probability maps and overlays) for files, folders and globs."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from unetops.cluster import Markers, fingerprint, item_key, map_items
from unetops.errors import ImageReadError
from unetops.fileio import atomic_write_bytes, remove_temporaries, safe_name, sha256_file
from unetops.imageio import SUFFIX_BY_TYPE, encode_image, encode_labels, encode_mask, image_to_uint8, read_image
from unetops.imageio.inputs import expand_inputs
from unetops.imageio.types import ImageType
from unetops.model.backends import Backend, LoadedModel
from unetops.model.segmenter import Segmenter, worker_segmenter
from unetops.storage import Location, is_remote, join, location, staged
from unetops.visualize import overlay_outlines

MAX_PNG_LABEL = 65535


@dataclass
class PredictionSummary:
    """What `predict_files` wrote, the inputs it could not read, and warnings about inputs unlike the training
    images."""

    written: list[Location] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    warnings: list[tuple[Path, str]] = field(default_factory=list)


def output_names(stem: str, model: LoadedModel) -> dict[str, str]:
    """File names of one input's outputs: the mask in the dataset spec's format and keyword naming."""
    spec = model.metadata.dataset_spec
    return {
        "mask": f"{stem}{spec.mask_keyword}{SUFFIX_BY_TYPE[spec.mask_type]}",
        "instances": f"{stem}_instances.png",
        "instances_tiff": f"{stem}_instances.ome.tif",
        "probabilities": f"{stem}_probability.png",
        "overlay": f"{stem}_overlay.png",
    }


def encode_instances(labels: np.ndarray, png: bool) -> bytes:
    """Instance labels as a 16-bit PNG, or (more than 65,535 nuclei) a 32-bit OME-TIFF."""
    if png:
        return encode_labels(labels)
    import tifffile

    buffer = io.BytesIO()
    tifffile.imwrite(buffer, labels.astype(np.uint32), ome=True, compression="zlib", tile=(512, 512),
                     photometric="minisblack")  # fmt: skip
    return buffer.getvalue()


def predict_file(
    path: Path, segmenter: Segmenter, out: Path, *, probabilities: bool, overlay: bool
) -> dict[str, list[str]]:
    """Predict one image and write its outputs into `out`; returns the files written and the input's warnings.

    Raises:
        ImageReadError: the file cannot be read as an image.
    """
    image = image_to_uint8(read_image(path))
    result = segmenter.segment(image)
    mask = result.mask
    model = segmenter.model
    names = output_names(safe_name(path.stem), model)
    outputs = {"mask": encode_mask(mask, model.metadata.dataset_spec.mask_type)}
    if result.instances is not None:
        role = "instances" if result.instances.max() <= MAX_PNG_LABEL else "instances_tiff"
        outputs[role] = encode_instances(result.instances, role == "instances")
    if probabilities:
        outputs["probabilities"] = encode_image((result.probabilities * 255 + 0.5).astype(np.uint8), ImageType.png)
    if overlay:
        outputs["overlay"] = encode_image(overlay_outlines(image, mask), ImageType.png)
    for role, data in outputs.items():
        atomic_write_bytes(out / names[role], data)
    return {"written": [str(out / names[role]) for role in outputs], "warnings": result.warnings}


def _predict_into(path: Path, segmenter: Segmenter, out: Location, options: dict[str, Any]) -> dict[str, list[str]]:
    """`predict_file` into a folder or object storage (written locally, then uploaded)."""
    with staged(out) as local:
        done = predict_file(path, segmenter, local, probabilities=options["probabilities"], overlay=options["overlay"])
    return {**done, "written": [str(join(out, Path(p).name)) for p in done["written"]]}


def _predict_task(
    path: Path, *, model: str, backend: Backend, out: Location, options: dict[str, Any]
) -> dict[str, Any]:
    """`predict_file` on a batch worker, with the worker's copy of the model."""
    segmenter = worker_segmenter(model, backend, threshold=options["threshold"], tta=options["tta"],
                                 window=options["window"])  # fmt: skip
    return _predict_into(path, segmenter, out, options)


def predict_files(
    inputs: list[str | Path],
    model: LoadedModel,
    out: Location,
    *,
    tta: bool = False,
    probabilities: bool = False,
    overlay: bool = True,
    threshold: float | None = None,
    window: int | None = None,
    client: Any = None,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> PredictionSummary:
    """Predict every input image and write its outputs into `out`.

    Args:
        inputs: files, folders or glob patterns.
        model: a loaded model (`load_model`).
        out: output folder, or object storage (`s3://bucket/prefix`, through fsspec).
        tta: flip test-time augmentation.
        probabilities: also write the probability map (8-bit PNG, 255 = 1.0).
        An instance model's nuclei are written too: `<stem>_instances.png` (16-bit labels, 0 background), or
        `<stem>_instances.ome.tif` (32-bit) beyond 65,535 nuclei.
        overlay: also write the image with predicted outlines (PNG).
        threshold: foreground threshold; default the model's.
        window: sliding-window size; default the model's training patch size.
        client: a Dask client (`unetops.cluster.connect`): one task per image on its workers, which load the
            model from `model.path` (shared storage for a remote cluster); finished images are marked in
            `out/.unetops-done/` and not predicted again. None: one image at a time in this process.
        on_start, on_progress: progress callbacks.
    """
    files = expand_inputs(inputs)
    if on_start:
        on_start(len(files))
    options = {"tta": tta, "probabilities": probabilities, "overlay": overlay, "threshold": threshold, "window": window}
    summary = PredictionSummary()
    if client is not None:
        task = partial(_predict_task, model=str(model.path), backend=model.backend, out=out, options=options)
        job = fingerprint(sha256_file(model.path), model.backend.value, sorted(options.items()))
        keys = {item_key(path): path for path in files}
        batch = map_items(client, task, keys, Markers.of(out, job), name="predict", on_progress=on_progress)
        if not is_remote(out):
            remove_temporaries(Path(out))  # of writes cut short by a worker's death
        problems = {key: failure.problem for key, failure in batch.failed.items()}
        outcomes = [(path, batch.done.get(key), problems.get(key)) for key, path in keys.items()]
    else:
        segmenter = Segmenter(model, threshold=threshold, tta=tta, window=window)
        outcomes = []
        for path in files:
            try:
                outcomes.append((path, _predict_into(path, segmenter, out, options), None))
            except ImageReadError as exc:
                outcomes.append((path, None, exc.problem))
            if on_progress:
                on_progress(1)
    for path, done, problem in outcomes:
        if done is None:
            summary.failed.append((path, problem or "not predicted"))
        else:
            summary.written.extend(location(p) for p in done["written"])
            summary.warnings.extend((path, warning) for warning in done["warnings"])
    return summary
