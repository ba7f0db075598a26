"""`scaffold_project`: spec.json, params.yaml and a dvc.yaml whose stages call the unetops CLI:
sample and slide (sample data only), check, build, train, evaluate, slide_quantify (sample data only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from unetops.errors import UnetopsError
from unetops.fileio import atomic_write_json, atomic_write_text
from unetops.sample.source import SAMPLE_MPP
from unetops.spec import DatasetSpec

SAMPLE_SOURCE = "data/sample/source"


def default_params(*, tiles: int = 72, epochs: int = 40, time_budget: str = "5m") -> dict[str, Any]:
    """Parameters of the sample pipeline: sample size and training settings (a small CPU model)."""
    return {
        "sample": {"tiles": tiles, "seed": 0},
        "slide": {"width": 4096, "height": 3072, "seed": 0},
        "train": {
            "epochs": epochs,
            "patience": 15,
            "time_budget": time_budget,
            "seed": 0,
            "model_name": "unetops-nuclei",
        },
    }


def pipeline_stages(source: str, *, with_sample: bool) -> dict[str, Any]:
    """The dvc.yaml stages: each calls the CLI and declares its dependencies, parameters and outputs."""
    stages: dict[str, Any] = {}
    if with_sample:
        stages["sample"] = {
            "cmd": "unetops sample data/sample --tiles ${sample.tiles} --seed ${sample.seed}",
            "params": ["sample"],
            "outs": ["data/sample"],
        }
    if with_sample:
        stages["slide"] = {
            "cmd": "unetops sample-slide data/slide/synthetic.svs --width ${slide.width} --height ${slide.height} "
            "--seed ${slide.seed}",
            "params": ["slide"],
            "outs": ["data/slide"],
        }
    stages["check"] = {
        "cmd": f"unetops dataset check {source} --spec spec.json --json reports/check.json --fail-on never",
        "deps": [source, "spec.json"],
        "outs": [{"reports/check.json": {"cache": False}}],
    }
    stages["build"] = {
        "cmd": f"unetops dataset build {source} --spec spec.json --out data/dataset",
        "deps": [source, "spec.json"],
        "outs": ["data/dataset"],
    }
    stages["train"] = {
        "cmd": "unetops train data/dataset --config params.yaml --out runs/train --metrics reports/train.json",
        "deps": ["data/dataset"],
        "params": ["train"],
        "outs": ["runs/train"],
        "metrics": [{"reports/train.json": {"cache": False}}],
    }
    stages["evaluate"] = {
        "cmd": "unetops evaluate runs/train/model data/dataset --out reports/evaluation",
        "deps": ["runs/train/model", "data/dataset"],
        "outs": [
            {"reports/evaluation/report.html": {"cache": False}},
            {"reports/evaluation/per_image.csv": {"cache": False}},
        ],
        "metrics": [{"reports/evaluation/summary.json": {"cache": False}}],
    }
    if with_sample:
        stages["slide_quantify"] = {
            "cmd": "unetops slide quantify data/slide/synthetic.svs --model runs/train/model --out reports/slides",
            "deps": ["runs/train/model", "data/slide"],
            "outs": [{"reports/slides": {"cache": False}}],
        }
    return stages


def scaffold_project(
    folder: Path,
    *,
    source: Path | None = None,
    spec: DatasetSpec | None = None,
    force: bool = False,
    params: dict[str, Any] | None = None,
) -> list[Path]:
    """Write a pipeline project into `folder`; returns the files written.

    Args:
        folder: project folder (created).
        source: the lab's source dataset; None uses generated sample data (adds the `sample` stage).
        spec: dataset spec; default 256 x 256 RGB PNG, split by slide.
        force: replace existing project files.
        params: parameters; default `default_params()`.
    """
    files = {name: folder / name for name in ("spec.json", "params.yaml", "dvc.yaml", ".gitignore")}
    existing = [p for p in files.values() if p.exists()]
    if existing and not force:
        raise UnetopsError("project files exist", path=existing[0], fix="pass --force to replace them")
    spec = spec or DatasetSpec(width=256, height=256, group_pattern=r"(slide\d+)", pixel_size_um=SAMPLE_MPP)
    source_text = str(source.resolve()) if source else SAMPLE_SOURCE
    parameters = params or default_params()
    if source is not None:
        parameters = {k: v for k, v in parameters.items() if k not in ("sample", "slide")}
    atomic_write_json(files["spec.json"], spec.model_dump(mode="json"))
    atomic_write_text(files["params.yaml"], yaml.safe_dump(parameters, sort_keys=False))
    stages = pipeline_stages(source_text, with_sample=source is None)
    atomic_write_text(files["dvc.yaml"], yaml.safe_dump({"stages": stages}, sort_keys=False))
    atomic_write_text(files[".gitignore"], "/data\n/runs\n/mlartifacts\n/mlflow.db\n")
    return list(files.values())
