"""Evaluation outputs: per-image CSV, summary JSON and a self-contained HTML report (worst images first)."""

from __future__ import annotations

import base64
import csv
import html
import io
import math
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from unetops.evaluation.run import METRICS, ImageEvaluation
from unetops.fileio import atomic_write_json, atomic_write_text
from unetops.imageio import encode_image
from unetops.spec.model import ImageType
from unetops.visualize import histogram_png

THUMBNAIL = 256
PLOTTED = ("dice", "iou", "object_f1", "aji", "pq", "hd95")


def _png_data_uri(picture: np.ndarray) -> str:
    if picture.dtype == bool:
        picture = np.where(picture, 255, 0).astype(np.uint8)
    scale = THUMBNAIL / max(picture.shape[:2])
    if scale < 1:
        size = (max(1, round(picture.shape[1] * scale)), max(1, round(picture.shape[0] * scale)))
        picture = cv2.resize(picture, size, interpolation=cv2.INTER_AREA)
    return "data:image/png;base64," + base64.b64encode(encode_image(picture, ImageType.png)).decode()


def _histograms(results: list[ImageEvaluation]) -> str:
    series = {name: [r.metrics[name] for r in results if not math.isnan(r.metrics[name])] for name in PLOTTED}
    return "data:image/png;base64," + base64.b64encode(histogram_png(series, bins=15)).decode()


def _number(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.3f}"


STYLE = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}.row{display:flex;gap:8px;flex-wrap:wrap}
figure{margin:0}figcaption{font-size:0.85em;text-align:center}img{max-width:100%}
section{border-top:1px solid #ddd;margin-top:1em}"""


def _summary_rows(summary: dict[str, Any]) -> str:
    return "".join(
        f"<tr><td>{name}</td><td>{_number(s['mean'])}</td>"
        f"<td>{_number(s['ci95_low'])} - {_number(s['ci95_high'])}</td><td>{_number(s['median'])}</td>"
        f"<td>{s['images']}</td></tr>"
        for name, s in summary["metrics"].items()
    )


def _image_section(result: ImageEvaluation) -> str:
    name = html.escape(result.name)
    scores = " &middot; ".join(
        f"{k} {_number(result.metrics[k])}" for k in ("dice", "iou", "object_f1", "aji", "count_error")
    )
    pictures = (
        ("original", result.image),
        ("ground truth", result.truth),
        ("prediction", result.prediction),
        ("errors", result.errors),
    )
    figures = "".join(
        f"<figure><img src='{_png_data_uri(picture)}' alt='{label} of {name}'><figcaption>{label}</figcaption></figure>"
        for label, picture in pictures
    )
    return f"<section><h3>{name}</h3><p>{scores}</p><div class='row'>{figures}</div></section>"


def render_html(results: list[ImageEvaluation], summary: dict[str, Any]) -> str:
    """The report as one HTML page with every picture inlined; images sorted worst Dice first."""
    ordered = sorted(results, key=lambda r: (r.metrics["dice"], r.name))
    title = f"unetops evaluation: {html.escape(summary['split'])} split of {html.escape(summary['dataset_version'])}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{STYLE}</style></head><body>
<h1>{title}</h1>
<p>model {html.escape(summary["model"])} &middot; backend {summary["backend"]} &middot; {summary["images"]} images
&middot; test-time augmentation {"on" if summary["tta"] else "off"}</p>
<h2>Summary (mean over images, 95% bootstrap interval)</h2>
<table><tr><th>metric</th><th>mean</th><th>95% interval</th><th>median</th><th>images</th></tr>
{_summary_rows(summary)}</table>
<h2>Distributions</h2><img src="{_histograms(results)}" alt="metric histograms">
<h2>Images, worst Dice first</h2>
<p>Errors: light grey true positive, <span style="color:#e62828">red false positive</span>,
<span style="color:#285ae6">blue false negative</span>.</p>{"".join(_image_section(r) for r in ordered)}
</body></html>
"""


def write_evaluation(results: list[ImageEvaluation], summary: dict[str, Any], out: Path) -> dict[str, Path]:
    """Write `per_image.csv`, `summary.json` and `report.html` into `out`; returns their paths."""
    paths = {"per_image": out / "per_image.csv", "summary": out / "summary.json", "report": out / "report.html"}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["image", *METRICS])
    for r in results:
        writer.writerow([r.name, *(f"{r.metrics[m]:.6g}" for m in METRICS)])
    atomic_write_text(paths["per_image"], buffer.getvalue())
    atomic_write_json(paths["summary"], summary)
    atomic_write_text(paths["report"], render_html(results, summary))
    return paths
