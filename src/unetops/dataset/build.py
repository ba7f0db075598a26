"""`build_dataset`: a source in any layout to a versioned dataset in the spec's form, atomically."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal

import numpy as np

from unetops import __version__
from unetops.dataset.check import finish_reports
from unetops.dataset.convert import convert_pair
from unetops.dataset.inspect import ItemReport, load_item
from unetops.dataset.items import SourceItem
from unetops.dataset.layouts import scan_source
from unetops.dataset.links import link_problems
from unetops.dataset.split import split_groups
from unetops.dataset.statistics import describe
from unetops.errors import DatasetError
from unetops.fileio import atomic_directory, atomic_write_json, safe_name, sha256_bytes
from unetops.imageio import SUFFIX_BY_TYPE, encode_image, encode_labels, encode_mask
from unetops.imageio.masks import connected_components
from unetops.parallel import parallel_map
from unetops.spec.manifest import MANIFEST_NAME, DatasetManifest, ManifestItem, SkippedItem
from unetops.spec.model import DatasetSpec, OutputLayout

OnError = Literal["skip", "fail"]
STAGED = "staged"


@dataclass
class StagedItem:
    """A converted pair written to the staging folder, before its split is known."""

    report: ItemReport
    files: dict[str, str] = field(default_factory=dict)  # role -> staged file name
    sha256: dict[str, str] = field(default_factory=dict)
    width: int = 0
    height: int = 0
    foreground_fraction: float = 0.0
    objects: int = 0
    instances_derived: bool = False


def _stage_item(job: tuple[int, SourceItem], *, root: Path, spec: DatasetSpec, staging: Path) -> StagedItem:
    index, item = job
    report, pair = load_item(item, root)
    staged = StagedItem(report)
    if pair is None:
        return staged
    pair = convert_pair(pair, spec)
    encoded = {
        "image": (encode_image(pair.image, spec.image_type), SUFFIX_BY_TYPE[spec.image_type]),
        "mask": (encode_mask(pair.mask, spec.mask_type), SUFFIX_BY_TYPE[spec.mask_type]),
    }
    staged.instances_derived = pair.instances is None  # the source has none: connected components of the mask
    instances = connected_components(pair.mask) if staged.instances_derived else pair.instances
    encoded["instances"] = (encode_labels(instances), ".png")
    for role, (data, suffix) in encoded.items():
        name = f"{index:07d}.{role}{suffix}"
        (staging / name).write_bytes(data)
        staged.files[role] = name
        staged.sha256[role] = sha256_bytes(data)
    staged.height, staged.width = pair.mask.shape
    staged.foreground_fraction = round(float(pair.mask.mean()), 6)
    staged.objects = len(np.unique(instances)) - 1  # nearest resizing may drop a label
    return staged


def output_name(key: str) -> str:
    """A flat, file-system-safe name for an item key (`Ki-67/slide01_tile01` -> `Ki-67__slide01_tile01`)."""
    return "__".join(safe_name(part) for part in key.split("/"))


def output_paths(name: str, split: str, spec: DatasetSpec, roles: set[str]) -> dict[str, str]:
    """Dataset-relative paths of one item's files in the spec's layout."""
    image_suffix, mask_suffix = SUFFIX_BY_TYPE[spec.image_type], SUFFIX_BY_TYPE[spec.mask_type]
    if spec.layout is OutputLayout.separate:
        paths = {
            "image": f"{split}/images/{name}{image_suffix}",
            "mask": f"{split}/masks/{name}{spec.mask_keyword}{mask_suffix}",
        }
    else:
        paths = {"image": f"{split}/{name}{image_suffix}", "mask": f"{split}/{name}{spec.mask_keyword}{mask_suffix}"}
    if "instances" in roles:
        paths["instances"] = f"{split}/instances/{name}.png"
    return paths


def dataset_version(spec: DatasetSpec, layout: str, reports: list[ItemReport]) -> str:
    """`ds-` + 12 hex digits of a hash over the spec and every input's key and content hashes."""
    digest = hashlib.sha256(spec.canonical_json().encode())
    digest.update(layout.encode())
    for report in sorted(reports, key=lambda r: r.key):
        digest.update(f"\n{report.key}|{report.image_sha256}|{','.join(report.mask_sha256)}".encode())
    return "ds-" + digest.hexdigest()[:12]


def _place_items(staged: list[StagedItem], spec: DatasetSpec, staging: Path, out: Path) -> list[ManifestItem]:
    usable = [s for s in staged if s.report.usable]
    sizes = Counter(s.report.group for s in usable)
    split_of_group = split_groups(dict(sizes), spec.split, spec.seed)
    items = []
    for entry in usable:
        report = entry.report
        name, split = output_name(report.key), split_of_group[report.group]
        paths = output_paths(name, split, spec, set(entry.files))
        for role, relative in paths.items():
            (out / relative).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / entry.files[role], out / relative)
        items.append(
            ManifestItem(
                key=report.key,
                name=name,
                split=split,
                group=report.group,
                tag=report.tag,
                image=paths["image"],
                mask=paths["mask"],
                instances=paths.get("instances"),
                instances_derived=entry.instances_derived,
                sha256=entry.sha256,
                source_image=report.image_file,
                source_masks=report.mask_files,
                source_sha256={"image": report.image_sha256, "masks": report.mask_sha256},
                width=entry.width,
                height=entry.height,
                foreground_fraction=entry.foreground_fraction,
                objects=entry.objects,
            )
        )
    return sorted(items, key=lambda i: i.key)


def build_dataset(
    source: Path,
    spec: DatasetSpec,
    out: Path,
    *,
    layout: str | None = None,
    mask_keyword: str | None = None,
    on_error: OnError = "skip",
    overwrite: bool = False,
    workers: int | None = None,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> DatasetManifest:
    """Build a dataset from `source` into `out` and return its manifest.

    Every pair is read, checked, converted and written by a pool of processes into a staging folder
    beside `out`; the split is assigned by group; `out` appears by a single rename at the end, so a
    killed build leaves no partial dataset. The source is only read.

    Args:
        source: folder (or CSV manifest) in any known layout.
        spec: the dataset spec.
        out: the dataset folder to create.
        layout: force a source layout by name.
        mask_keyword: suffix of the source's mask stems (None tries the common ones).
        on_error: `skip` leaves out pairs with errors (listed in the manifest); `fail` builds nothing.
        overwrite: replace an existing dataset at `out`.
        workers: processes to use; all cores by default.
        on_start, on_progress: progress callbacks (total items; 1 per item).
    """
    out = out.resolve()
    if out.exists() and not overwrite:
        raise DatasetError("output folder exists", path=out, fix="choose another --out or pass --overwrite")
    layout_name, items = scan_source(source, layout=layout, mask_keyword=mask_keyword)
    if on_start:
        on_start(len(items))
    with atomic_directory(out, overwrite=overwrite) as staging_root:
        staging = staging_root / STAGED
        staging.mkdir()
        work = partial(_stage_item, root=source, spec=spec, staging=staging)
        staged = parallel_map(work, list(enumerate(items)), workers=workers, on_progress=on_progress)
        reports = [s.report for s in staged]
        source_statistics = finish_reports(
            reports, spec.group_pattern, spec.color_model
        )  # the same cross-item checks as `check`
        failed = [r for r in reports if not r.usable]
        if failed and on_error == "fail":
            lines = [
                f"{p.file}: {p.code}: {p.message}" for r in failed for p in r.problems if p.severity.value == "error"
            ]
            raise DatasetError(
                f"{len(failed)} of {len(reports)} pairs have errors:\n  " + "\n  ".join(lines),
                path=source,
                fix="fix them (see `unetops dataset check`) or build with --on-error skip",
            )
        if not any(r.usable for r in reports):
            raise DatasetError("no usable pairs in the source", path=source, fix="run `unetops dataset check` on it")
        placed = _place_items(staged, spec, staging, staging_root)
        shutil.rmtree(staging)
        manifest = DatasetManifest(
            version=dataset_version(spec, layout_name, reports),
            unetops_version=__version__,
            spec=spec,
            spec_sha256=spec.sha256(),
            source={"path": str(source), "layout": layout_name},
            on_error=on_error,
            splits={split: sum(i.split == split for i in placed) for split in ("train", "val", "test")},
            items=placed,
            skipped=[
                SkippedItem(
                    key=r.key,
                    files=[f for f in [r.image_file, *r.mask_files] if f],
                    problems=[p.to_dict() for p in r.problems],
                )
                for r in sorted(failed, key=lambda r: r.key)
            ],
            problems=[p.to_dict() for r in sorted(reports, key=lambda r: r.key) for p in r.problems]
            + [p.to_dict() for p in link_problems(source)],
            statistics={
                "source": source_statistics,
                "output_foreground_fraction": describe(i.foreground_fraction for i in placed),
                "output_objects_per_mask": describe(i.objects for i in placed),
            },
        )
        atomic_write_json(staging_root / MANIFEST_NAME, manifest.model_dump(mode="json"))
    return manifest
