"""`quantify_images`: nucleus tables, image summaries, QC overlays and histograms for a set of images."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from unetops import __version__
from unetops.cluster import Markers, fingerprint, item_key, map_items
from unetops.errors import ImageReadError, UnetopsError
from unetops.fileio import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
    remove_temporaries,
    safe_name,
    sha256_file,
)
from unetops.imageio import encode_image, image_to_uint8, read_image
from unetops.imageio.masks import read_mask
from unetops.imageio.types import ImageType
from unetops.model.backends import Backend, LoadedModel
from unetops.model.segmenter import Segmenter, worker_segmenter
from unetops.quantify.config import QuantifyConfig
from unetops.quantify.features import nucleus_features
from unetops.quantify.instances import Nuclei, nucleus_instances, outlines
from unetops.quantify.refusals import image_refusals
from unetops.quantify.summary import image_summary
from unetops.storage import Location, is_remote, staged
from unetops.visualize import Histogram, Mark, histogram_png, with_legend

POSITIVE_COLOUR = (200, 60, 20)
NEGATIVE_COLOUR = (30, 90, 230)
NOT_NUCLEUS_COLOUR = (150, 150, 150)
MaskSource = Callable[[Path, np.ndarray], Nuclei]  # (image file, its pixels) -> its nuclei
MAX_IDS = 2000  # more ids than this would cover the image


@dataclass
class QuantifiedImage:
    """One image's nucleus table and summary."""

    name: str
    features: dict[str, np.ndarray]
    summary: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


@dataclass
class QuantifyResult:
    images: list[QuantifiedImage] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)


def _mask_from_folder(folder: Path, keyword: str, image_path: Path, image: np.ndarray) -> Nuclei:
    for stem in (f"{image_path.stem}{keyword}", image_path.stem):
        for candidate in sorted(folder.glob(f"{stem}.*")):
            mask = read_mask(candidate)  # the dataset's rule for unclean masks
            if mask.shape != image.shape[:2]:
                size = f"mask is {mask.shape[1]}x{mask.shape[0]}, image {image.shape[1]}x{image.shape[0]}"
                raise ImageReadError(size, path=candidate)
            return Nuclei(mask)
    raise ImageReadError(f"no mask named {image_path.stem}{keyword}.* in {folder}", path=image_path)


def masks_from_folder(folder: Path, keyword: str = "_mask") -> MaskSource:
    """Masks named `<stem><keyword>.<ext>` (or `<stem>.<ext>`) in `folder`, as a mask source."""
    return partial(_mask_from_folder, folder.resolve(), keyword)


def segmenter_masks(segmenter: Segmenter) -> MaskSource:
    """The masks (and an instance model's instances) a model predicts, with its warnings about each input."""

    def predict(image_path: Path, image: np.ndarray) -> Nuclei:
        return Nuclei.of(segmenter.segment(image))

    return predict


def _worker_prediction(model: str, backend: Backend, sha256: str, image_path: Path, image: np.ndarray) -> Nuclei:
    return Nuclei.of(worker_segmenter(model, backend).segment(image))


def worker_masks(model: LoadedModel) -> MaskSource:
    """`segmenter_masks` for batch workers: it pickles as the model's file (which each worker loads once) and
    its SHA-256 (which names it in a batch's fingerprint)."""
    return partial(_worker_prediction, str(model.path), model.backend, sha256_file(model.path))


def _source_id(masks: MaskSource) -> str:
    """What a mask source's masks depend on (`masks_from_folder`, `worker_masks`), for a batch's fingerprint."""
    if isinstance(masks, partial):
        return repr((masks.func.__qualname__, [str(a) for a in masks.args]))
    return repr(masks)


def qc_overlay(
    image: np.ndarray, labels: np.ndarray, features: dict[str, np.ndarray], ids: bool = True, note: str | None = None
) -> np.ndarray:
    """Image with positive nuclei outlined in brown-red and negative in blue, a legend strip below, and each
    nucleus' id written beside it (right of its box, dark on a light halo) so the outline stays visible;
    objects that do not look like nuclei are outlined in grey, and a `note` (why no index) is written on top."""
    out = image.copy() if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    edge = outlines(labels)
    positive = np.zeros(int(labels.max()) + 1, bool)
    stained = "positive" in features
    if stained:
        positive[features["id"]] = features["positive"]
    out[edge & positive[labels]] = POSITIVE_COLOUR
    out[edge & ~positive[labels]] = NEGATIVE_COLOUR
    unlike = np.zeros_like(positive)
    if "nucleus_like" in features:
        unlike[features["id"]] = ~features["nucleus_like"].astype(bool)
        out[edge & unlike[labels]] = NOT_NUCLEUS_COLOUR
    if ids and len(features["id"]) <= MAX_IDS:
        for nucleus, x, y in zip(features["id"], features["bbox_max_col"], features["centroid_y"], strict=True):
            place = (int(x) + 2, int(y) + 4)
            for colour, thickness in (((255, 255, 255), 3), ((0, 0, 0), 1)):
                cv2.putText(out, str(nucleus), place, cv2.FONT_HERSHEY_PLAIN, 0.8, colour, thickness, cv2.LINE_AA)
    if note:
        banner(out, note)
    legend = (
        [("positive", POSITIVE_COLOUR), ("negative", NEGATIVE_COLOUR)] if stained else [("nucleus", NEGATIVE_COLOUR)]
    )
    return with_legend(out, legend + ([("not nucleus-like", NOT_NUCLEUS_COLOUR)] if unlike.any() else []))


def banner(image: np.ndarray, text: str) -> None:
    """Write `text` in white on a red strip across the top of an RGB image (in place), cut to fit."""
    height = min(18, image.shape[0])
    image[:height] = (190, 20, 20)
    fits = max(1, int(image.shape[1] / 7))
    cv2.putText(image, text[:fits], (3, height - 5), cv2.FONT_HERSHEY_PLAIN, 0.9, (255, 255, 255), 1, cv2.LINE_AA)


def histogram_panels(
    features: list[dict[str, np.ndarray]], config: QuantifyConfig, pixel_size: float | None
) -> dict[str, Histogram]:
    """Nucleus area and, for stained images, mean DAB OD with the positivity threshold and the 1+/2+/3+ cut-offs."""
    unit = "um^2" if pixel_size else "px"
    areas = np.concatenate([f["area"] for f in features]) * (pixel_size**2 if pixel_size else 1.0)
    panels = {"nucleus area": Histogram(areas, f"area ({unit})", "nuclei")}
    stained = [f["dab_od_nuclear"] for f in features if "dab_od_nuclear" in f]
    if stained:
        low, mid, high = config.intensity_cutoffs
        marks = (
            Mark(config.positive_threshold, f"positive > {config.positive_threshold:g}", "#c0392b"),
            Mark(low, f"1+ from {low:g}", "#e6a23c"),
            Mark(mid, f"2+ from {mid:g}", "#b8860b"),
            Mark(high, f"3+ from {high:g}", "#6b4a00"),
        )
        panels["DAB per nucleus"] = Histogram(
            np.concatenate(stained), "nuclear DAB OD (core above surroundings)", "nuclei", marks
        )
    return panels


def measure_image(
    image: np.ndarray, nuclei: Nuclei | np.ndarray, config: QuantifyConfig, pixel_size: float | None = None
) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, Any]]:
    """Instances, per-nucleus features and the image summary for one uint8 image and its nuclei (or mask)."""
    labels = nucleus_instances(nuclei, config, pixel_size)
    features = nucleus_features(labels, image, config, pixel_size)
    refusals = [
        *(nuclei.refusals if isinstance(nuclei, Nuclei) else []),
        *image_refusals(image, labels, config, pixel_size),
    ]
    return labels, features, image_summary(features, image.shape[:2], config, pixel_size, refusals)


def nucleus_rows(name: str, features: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """One JSON/CSV-ready row per nucleus (booleans as 0/1, NaN as empty)."""
    return [{"image": name, **{k: _value(v[i]) for k, v in features.items()}} for i in range(len(features["id"]))]


def summary_row(name: str, summary: dict[str, Any]) -> dict[str, Any]:
    """The image summary as a JSON/CSV-ready row."""
    return {"image": name, **{k: _value(v) for k, v in summary.items()}}


def table_csv(rows: list[dict[str, Any]]) -> str:
    """CSV text of rows; the header is the union of their keys."""
    buffer = io.StringIO()
    if rows:  # images of different channel counts have different columns: write their union
        fields = list(dict.fromkeys(key for row in rows for key in row))
        writer = csv.DictWriter(buffer, fieldnames=fields, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue()


def _value(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return round(float(value), 6) if not math.isnan(value) else ""
    return value.item() if isinstance(value, np.generic) else value


def quantify_image(
    path: Path, masks: MaskSource, out: Path, config: QuantifyConfig, pixel_size: float | None = None
) -> QuantifiedImage:
    """Measure one image's nuclei and write its QC overlay (`out/qc/<stem>_qc.png`).

    Raises:
        ImageReadError: the image cannot be read, or has no mask.
    """
    image = image_to_uint8(read_image(path))
    nuclei = masks(path, image)
    labels, features, summary = measure_image(image, nuclei, config, pixel_size)
    name = safe_name(path.stem)
    overlay = qc_overlay(image, labels, features, note=summary.get("index_note"))
    atomic_write_bytes(out / "qc" / f"{name}_qc.png", encode_image(overlay, ImageType.png))
    return QuantifiedImage(name, features, summary, nuclei.warnings)


def _quantify_into(
    path: Path, masks: MaskSource, out: Location, config: QuantifyConfig, pixel_size: float | None
) -> QuantifiedImage:
    """`quantify_image` into a folder or object storage (written locally, then uploaded)."""
    with staged(out) as local:
        return quantify_image(path, masks, local, config, pixel_size)


def _quantify_task(path: Path, *, masks: MaskSource, out: Location, config: QuantifyConfig,
                   pixel_size: float | None) -> dict[str, Any]:  # fmt: skip
    """`quantify_image` on a batch worker, its result as JSON (the done marker keeps it)."""
    quantified = _quantify_into(path, masks, out, config, pixel_size)
    features = {key: values.tolist() for key, values in quantified.features.items()}
    return {"name": quantified.name, "features": features, "summary": quantified.summary,
            "warnings": quantified.warnings}  # fmt: skip


def _from_json(done: dict[str, Any]) -> QuantifiedImage:
    features = {key: np.asarray(values) for key, values in done["features"].items()}
    return QuantifiedImage(done["name"], features, done["summary"], done["warnings"])


def quantify_images(
    images: list[Path],
    masks: MaskSource,
    out: Location,
    config: QuantifyConfig,
    *,
    pixel_size: float | None = None,
    client: Any = None,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> QuantifyResult:
    """Measure every nucleus of every image and write the outputs into `out`.

    Writes `nuclei.csv` (one row per nucleus, all images), `images.csv` and `images.json` (one summary per
    image, with the profile and unetops version), `qc/<stem>_qc.png` and `histograms.png`. An image that
    cannot be read, or has no mask, is reported and skipped. `out` may be object storage (`s3://bucket/prefix`).

    With a Dask `client` (`unetops.cluster.connect`), each image is a task on its workers (`masks` must pickle:
    `masks_from_folder` or `worker_masks`); finished images are marked in `out/.unetops-done/` and not measured
    again by a rerun.
    """
    if not images:
        raise UnetopsError("no images to quantify")
    if on_start:
        on_start(len(images))
    result = QuantifyResult()
    if client is not None:
        task = partial(_quantify_task, masks=masks, out=out, config=config, pixel_size=pixel_size)
        keys = {item_key(path): path for path in images}
        markers = Markers.of(out, fingerprint(config.model_dump_json(), pixel_size, _source_id(masks)))
        batch = map_items(client, task, keys, markers, name="quantify", on_progress=on_progress)
        if not is_remote(out):
            remove_temporaries(Path(out) / "qc")  # of writes cut short by a worker's death
        result.images = [_from_json(done) for done in batch.done.values()]
        result.failed = [(keys[key], failure.message) for key, failure in batch.failed.items()]
    else:
        for path in images:
            try:
                result.images.append(_quantify_into(path, masks, out, config, pixel_size))
            except ImageReadError as exc:
                result.failed.append((path, str(exc)))
            if on_progress:
                on_progress(1)
    with staged(out) as local:
        _write_tables(result, local, config, pixel_size)
    return result


def _write_tables(result: QuantifyResult, out: Path, config: QuantifyConfig, pixel_size: float | None) -> None:
    """`nuclei.csv`, `images.csv`, `images.json` and `histograms.png` of all the images measured."""
    image_rows = [{**summary_row(q.name, q.summary), "warnings": " | ".join(q.warnings)} for q in result.images]
    nuclei = [row for q in result.images for row in nucleus_rows(q.name, q.features)]
    atomic_write_text(out / "nuclei.csv", table_csv(nuclei))
    atomic_write_text(out / "images.csv", table_csv(image_rows))
    atomic_write_json(
        out / "images.json",
        {
            "unetops_version": __version__,
            "profile": config.model_dump(mode="json"),
            "pixel_size_um": pixel_size,
            "images": image_rows,
            "skipped": [{"image": str(p), "problem": m} for p, m in result.failed],
        },
    )
    all_features = [q.features for q in result.images if len(q.features["id"])]
    if all_features:
        panels = histogram_panels(all_features, config, pixel_size)
        atomic_write_bytes(out / "histograms.png", histogram_png(panels, bins=30, colour="#8a5a2b"))
