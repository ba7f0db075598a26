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

from unetops.evaluation.definitions import METRIC_INFO
from unetops.evaluation.run import METRICS, ImageEvaluation
from unetops.fileio import atomic_write_json, atomic_write_text
from unetops.imageio import encode_image
from unetops.spec.model import ImageType
from unetops.visualize import Histogram, histogram_png

THUMBNAIL = 256
PLOTTED = ("dice", "iou", "object_f1", "map", "aji", "pq", "hd95")


def _png_data_uri(picture: np.ndarray) -> str:
    if picture.dtype == bool:
        picture = np.where(picture, 255, 0).astype(np.uint8)
    scale = THUMBNAIL / max(picture.shape[:2])
    if scale < 1:
        size = (max(1, round(picture.shape[1] * scale)), max(1, round(picture.shape[0] * scale)))
        picture = cv2.resize(picture, size, interpolation=cv2.INTER_AREA)
    return "data:image/png;base64," + base64.b64encode(encode_image(picture, ImageType.png)).decode()


def _histograms(results: list[ImageEvaluation]) -> str:
    panels = {
        name: Histogram(
            [r.metrics[name] for r in results if not math.isnan(r.metrics[name])],
            f"{name} ({METRIC_INFO[name].unit})",
            "images",
        )
        for name in PLOTTED
    }
    return "data:image/png;base64," + base64.b64encode(histogram_png(panels, bins=15)).decode()


def _number(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.3f}"


STYLE = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:right;white-space:nowrap}
.row{display:flex;gap:8px;flex-wrap:wrap}
figure{margin:0}figcaption{font-size:0.85em;text-align:center}img{max-width:100%}
section{border-top:1px solid #ddd;margin-top:1em}td.text{text-align:left;white-space:normal}
.note{background:#fff4d6;border-left:3px solid #d9a400;padding:.3em .6em}"""


SplitEvaluation = tuple[list[ImageEvaluation], dict[str, Any]]


def _summary_table(summaries: list[dict[str, Any]]) -> str:
    """One row per metric: its definition, direction and unit, then mean, interval and images per split."""
    head = "<tr><th>metric</th><th>definition</th><th>better</th><th>unit</th>" + "".join(
        f"<th>{html.escape(s['split'])} mean</th><th>95% interval</th><th>images</th>" for s in summaries
    )
    rows = []
    for name in METRICS:
        info = METRIC_INFO[name]
        cells = "".join(
            f"<td>{_number(m['mean'])}</td><td>{_number(m['ci95_low'])} - {_number(m['ci95_high'])}</td>"
            f"<td>{m['images']}</td>"
            for m in (s["metrics"][name] for s in summaries)
        )
        rows.append(
            f"<tr><td>{name}</td><td class='text'>{html.escape(info.definition)}</td><td>{info.better or '-'}</td>"
            f"<td>{info.unit}</td>{cells}</tr>"
        )
    return f"<table>{head}</tr>{''.join(rows)}</table>"


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


def _split_section(results: list[ImageEvaluation], summary: dict[str, Any]) -> str:
    ordered = sorted(results, key=lambda r: (r.metrics["dice"], r.name))
    split = html.escape(summary["split"])
    return (
        f"<h2>{split} split: distributions</h2><img src='{_histograms(results)}' alt='{split} metric histograms'>"
        f"<h2>{split} split: images, worst Dice first</h2>{''.join(_image_section(r) for r in ordered)}"
    )


def render_html(evaluations: list[SplitEvaluation]) -> str:
    """The report as one HTML page with every picture inlined: the splits side by side, then each split's
    images sorted worst Dice first."""
    summaries = [summary for _, summary in evaluations]
    first = summaries[0]
    title = f"unetops evaluation of {html.escape(first['dataset_version'])}"
    notes = "".join(
        f"<p class='note'>{html.escape(s['split'])}: {html.escape(s['note'])}</p>" for s in summaries if s.get("note")
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{STYLE}</style></head><body>
<h1>{title}</h1>
<p>model {html.escape(first["model"])} &middot; backend {first["backend"]}
&middot; test-time augmentation {"on" if first["tta"] else "off"}</p>
<h2>Summary (mean over images, 95% bootstrap interval)</h2>{notes}
{_summary_table(summaries)}
<p>How each metric is computed: docs/inference.md, section Evaluate.
Errors in the pictures: light grey true positive, <span style="color:#e62828">red false positive</span>,
<span style="color:#285ae6">blue false negative</span>.</p>
{"".join(_split_section(results, summary) for results, summary in evaluations)}
</body></html>
"""


def summary_document(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """`summary.json`: the model and dataset once, then per split its images, metrics and note."""
    first = summaries[0]
    shared = {key: first[key] for key in ("dataset_version", "model", "backend", "tta")}
    splits = {s["split"]: {key: s[key] for key in ("images", "metrics", "note")} for s in summaries}
    return {**shared, "splits": splits}


def write_evaluation(evaluations: list[SplitEvaluation], out: Path) -> dict[str, Path]:
    """Write `per_image.csv`, `summary.json` and `report.html` for one or more splits into `out`."""
    paths = {"per_image": out / "per_image.csv", "summary": out / "summary.json", "report": out / "report.html"}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["split", "image", *METRICS])
    for results, summary in evaluations:
        for r in results:
            writer.writerow([summary["split"], r.name, *(f"{r.metrics[m]:.6g}" for m in METRICS)])
    atomic_write_text(paths["per_image"], buffer.getvalue())
    atomic_write_json(paths["summary"], summary_document([summary for _, summary in evaluations]))
    atomic_write_text(paths["report"], render_html(evaluations))
    return paths
