from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from helpers import rgb_image, write_annotated, write_dsb_case, write_image, write_pair
from unetops.dataset.build import build_dataset, output_name
from unetops.errors import DatasetError
from unetops.fileio import sha256_file
from unetops.imageio import encode_labels, image_to_uint8, read_image
from unetops.sample import SampleSummary
from unetops.spec import ColorModel, DatasetSpec, ImageType, OutputLayout
from unetops.spec.manifest import read_manifest

SPEC = DatasetSpec(width=128, height=128, group_pattern=r"(slide\d+)")


def tree_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): sha256_file(p) for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(sample: SampleSummary, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("built") / "dataset"
    build_dataset(sample.source, SPEC, out, workers=2)
    return out


def test_same_inputs_and_spec_give_byte_identical_output(sample: SampleSummary, built: Path, tmp_path: Path) -> None:
    build_dataset(sample.source, SPEC, tmp_path / "again", workers=1)
    assert tree_hashes(built) == tree_hashes(tmp_path / "again")


def test_source_is_never_modified(sample: SampleSummary, tmp_path: Path) -> None:
    before = tree_hashes(sample.source)
    mtimes = {p: p.stat().st_mtime_ns for p in sample.source.rglob("*")}
    build_dataset(sample.source, SPEC, tmp_path / "d", workers=2)
    assert tree_hashes(sample.source) == before
    assert {p: p.stat().st_mtime_ns for p in sample.source.rglob("*")} == mtimes


def test_manifest_hashes_sizes_and_splits(built: Path) -> None:
    manifest = read_manifest(built)
    assert manifest.version.startswith("ds-") and len(manifest.items) == 22
    assert sum(manifest.splits.values()) == 22 and min(manifest.splits.values()) > 0
    for item in manifest.items:
        assert sha256_file(built / item.image) == item.sha256["image"]
        assert sha256_file(built / item.mask) == item.sha256["mask"]
        assert item.image == f"{item.split}/images/{item.name}.png"
        assert item.mask == f"{item.split}/masks/{item.name}_mask.png"
        image = image_to_uint8(read_image(built / item.image))
        mask = image_to_uint8(read_image(built / item.mask, mask=True))
        assert image.shape == (128, 128, 3) and mask.shape == (128, 128)
        assert set(np.unique(mask)) <= {0, 255}
        assert sha256_file(built / item.instances) == item.sha256["instances"] and item.instances_derived
        labels = read_image(built / item.instances, mask=True).array
        assert ((labels > 0) == (mask > 0)).all() and len(np.unique(labels)) - 1 == item.objects
    files = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()}
    outputs = [(i.image, i.mask, i.instances) for i in manifest.items]
    assert files == {"dataset.json"} | {path for paths in outputs for path in paths}


def test_split_is_leak_free_by_group_and_duplicates_stay_together(built: Path) -> None:
    manifest = read_manifest(built)
    splits_of_group: dict[str, set[str]] = {}
    for item in manifest.items:
        splits_of_group.setdefault(item.group, set()).add(item.split)
    assert all(len(s) == 1 for s in splits_of_group.values())
    twins = [i for i in manifest.items if any(p["code"] == "duplicate" for p in manifest.problems if p["key"] == i.key)]
    assert len(twins) == 2 and twins[0].split == twins[1].split


def test_nothing_is_dropped_silently(sample: SampleSummary, built: Path) -> None:
    manifest = read_manifest(built)
    skipped = {s.key: {p["code"] for p in s.problems} for s in manifest.skipped}
    assert skipped == {
        "Ki-67/slide02_tile03": {"image-without-mask"},
        "Ki-67/slide02_tile04": {"unreadable"},
        "Ki-67/slide03_tile01": {"size-mismatch"},
        "Ki-67/slide99_tile01": {"mask-without-image"},
    }
    assert len(manifest.items) + len(manifest.skipped) == manifest.statistics["source"]["items"]


def test_version_depends_on_spec_and_inputs(sample: SampleSummary, built: Path, tmp_path: Path) -> None:
    other = build_dataset(sample.source, SPEC.model_copy(update={"seed": 9}), tmp_path / "s9", workers=2)
    assert other.version != read_manifest(built).version


def test_on_error_fail_builds_nothing(sample: SampleSummary, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="4 of 26 pairs have errors") as caught:
        build_dataset(sample.source, SPEC, tmp_path / "out", on_error="fail", workers=2)
    assert "slide02_tile04.png: unreadable" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_existing_output_needs_overwrite(tmp_path: Path) -> None:
    write_pair(tmp_path / "src", "a.png", "a_mask.png")
    build_dataset(tmp_path / "src", DatasetSpec(width=16, height=16), tmp_path / "out", workers=1)
    with pytest.raises(DatasetError, match="output folder exists"):
        build_dataset(tmp_path / "src", DatasetSpec(width=16, height=16), tmp_path / "out", workers=1)
    manifest = build_dataset(
        tmp_path / "src", DatasetSpec(width=24, height=24), tmp_path / "out", overwrite=True, workers=1
    )
    assert manifest.items[0].width == 24


def test_single_folder_layout_jpeg_grayscale(tmp_path: Path) -> None:
    for i in range(4):
        write_pair(tmp_path / "src", f"img{i}.png", f"img{i}_mask.png", seed=i)
    spec = DatasetSpec(
        width=16,
        height=16,
        layout=OutputLayout.single,
        image_type=ImageType.jpg,
        color_model=ColorModel.grayscale,
        mask_keyword="-gt",
    )
    manifest = build_dataset(tmp_path / "src", spec, tmp_path / "out", workers=1)
    item = manifest.items[0]
    assert item.image == f"{item.split}/{item.name}.jpg" and item.mask == f"{item.split}/{item.name}-gt.png"
    assert read_image(tmp_path / "out" / item.image).array.ndim == 2


def test_binary_colour_model(tmp_path: Path) -> None:
    write_pair(tmp_path / "src", "a.png", "a_mask.png")
    manifest = build_dataset(
        tmp_path / "src", DatasetSpec(width=16, height=16, color_model=ColorModel.binary), tmp_path / "out", workers=1
    )
    pixels = read_image(tmp_path / "out" / manifest.items[0].image).array
    assert set(np.unique(pixels)) <= {0, 255}


def test_dsb_instances_are_kept(tmp_path: Path) -> None:
    write_dsb_case(tmp_path / "src", "c1", 3)
    manifest = build_dataset(tmp_path / "src", DatasetSpec(width=None, height=None), tmp_path / "out", workers=1)
    item = manifest.items[0]
    labels = read_image(tmp_path / "out" / item.instances, mask=True).array
    assert item.instances == f"{item.split}/instances/{item.name}.png" and labels.max() == 3 and item.objects == 3


def test_output_names_are_flat() -> None:
    assert output_name("Ki-67/train/slide 1") == "Ki-67__train__slide_1"


KILL_SCRIPT = """
import sys
from pathlib import Path
from unetops.dataset.build import build_dataset
from unetops.spec import DatasetSpec
build_dataset(Path(sys.argv[1]), DatasetSpec(width=64, height=64), Path(sys.argv[2]), workers=1)
"""


def test_a_build_killed_midway_leaves_no_dataset(tmp_path: Path) -> None:
    source = tmp_path / "src"
    for i in range(300):
        write_pair(source, f"images/im{i:03d}.png", f"masks/im{i:03d}.png", seed=i, size=96)
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(source), str(out)])
    deadline = time.monotonic() + 60
    staged: list[Path] = []
    while time.monotonic() < deadline and len(staged) < 20 and process.poll() is None:
        staged = list(tmp_path.glob(".out.staging-*/staged/*"))
        time.sleep(0.02)
    assert process.poll() is None, "the build finished before it could be killed; make the source larger"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert len(staged) >= 20
    assert not out.exists()
    manifest = build_dataset(source, DatasetSpec(width=64, height=64), out, workers=2)
    assert len(manifest.items) == 300
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert json.loads((out / "dataset.json").read_text())["version"] == manifest.version


def test_the_manifest_holds_the_same_problems_as_the_check(tmp_path: Path) -> None:
    from unetops.dataset.check import check_source

    source = tmp_path / "src"
    write_pair(source, "train/images/p1_a.png", "train/masks/p1_a.png")
    write_pair(source, "test/images/p1_b.png", "test/masks/p1_b.png", seed=1)
    write_pair(source, "test/images/p2_a.png", "test/masks/p2_a.png", seed=2)
    write_pair(source, "train/images/p3_a.png", "train/masks/p3_a.png", seed=3)
    spec = DatasetSpec(width=32, height=32, group_pattern=r"(p\d+)_")
    manifest = build_dataset(source, spec, tmp_path / "out", workers=1)
    checked = check_source(source, group_pattern=spec.group_pattern, workers=1)
    assert sorted((p["code"], p["file"]) for p in manifest.problems) == sorted(
        (p.code, p.file) for p in checked.problems
    )
    leaks = sorted(p["file"] for p in manifest.problems if p["code"] == "group-across-splits")
    assert leaks == ["test/images/p1_b.png", "train/images/p1_a.png"]
    assert sorted(s.key for s in manifest.skipped) == ["test/p1_b", "train/p1_a"]


def test_newlines_and_other_odd_characters_never_reach_output_names(tmp_path: Path) -> None:
    write_pair(tmp_path / "src", "images/slide 1\ntile:2.png", "masks/slide 1\ntile:2.png")
    write_pair(tmp_path / "src", "images/b.png", "masks/b.png", seed=1)
    manifest = build_dataset(tmp_path / "src", DatasetSpec(width=32, height=32), tmp_path / "out", workers=1)
    names = [item.name for item in manifest.items]
    assert "slide_1_tile_2" in names
    written = [p.name for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert not [name for name in written if "\n" in name or ":" in name or " " in name]


def test_a_float_tiff_is_one_problem_and_the_batch_goes_on(tmp_path: Path) -> None:
    import tifffile

    from unetops.dataset.check import check_source

    source = tmp_path / "src"
    write_pair(source, "images/a.png", "masks/a.png")
    write_pair(source, "images/b.png", "masks/b.png", seed=1)
    tifffile.imwrite(source / "images" / "f.tif", np.linspace(-1, 3, 32 * 32, dtype=np.float64).reshape(32, 32))
    (source / "masks" / "f.png").write_bytes((source / "masks" / "a.png").read_bytes())
    problems = [p for p in check_source(source, workers=1).problems if p.file == "images/f.tif"]
    assert [p.code for p in problems] == ["unreadable"] and "floating-point image (float64)" in problems[0].message
    manifest = build_dataset(source, DatasetSpec(width=32, height=32), tmp_path / "out", workers=1, on_error="skip")
    assert sorted(i.key for i in manifest.items) == ["a", "b"] and [s.key for s in manifest.skipped] == ["f"]


def processes_with(tag: str) -> list[int]:
    """Pids of live processes whose environment carries `UNETOPS_TEST_TAG=tag`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and f"UNETOPS_TEST_TAG={tag}".encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_a_killed_build_leaves_no_worker_processes(tmp_path: Path) -> None:
    source = tmp_path / "src"
    for i in range(400):
        write_pair(source, f"images/im{i:03d}.png", f"masks/im{i:03d}.png", seed=i, size=96)
    tag = f"build-{os.getpid()}-{time.monotonic_ns()}"
    script = KILL_SCRIPT.replace("workers=1", "workers=2")
    env = {**os.environ, "UNETOPS_TEST_TAG": tag}
    process = subprocess.Popen([sys.executable, "-c", script, str(source), str(tmp_path / "out")], env=env)
    deadline = time.monotonic() + 60
    while len(processes_with(tag)) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # the build, its forkserver and workers
    assert process.poll() is None and len(processes_with(tag)) >= 3, "no pool to kill; make the source larger"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 15
    while processes_with(tag) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_with(tag) == []


def test_annotations_label_images_and_binary_masks_all_give_instances(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_annotated(source, "slide1_a", [(1, 1, 6), (7, 1, 6), (20, 20, 5)])  # two touching squares, one apart
    write_annotated(source, "slide2_b", [(2, 2, 8)])
    built = build_dataset(source, DatasetSpec(width=None, height=None, group_pattern=r"(slide\d)"), tmp_path / "out")
    assert built.source["layout"] == "geojson"
    item = {i.name: i for i in built.items}["slide1_a"]
    labels = read_image(tmp_path / "out" / item.instances, mask=True).array
    assert item.objects == 3 and item.instances_derived is False
    assert np.bincount(labels.ravel()).tolist()[1:] == [36, 36, 25]  # the touching pair stays two nuclei
    assert item.sha256["instances"] == sha256_file(tmp_path / "out" / item.instances)

    labelled = tmp_path / "labelled"
    labels_image = np.zeros((32, 32), np.uint16)
    labels_image[2:8, 2:8], labels_image[2:8, 8:14], labels_image[20:25, 20:25] = 1, 2, 7  # touching 1 and 2
    write_image(labelled / "a.png", rgb_image(32))
    (labelled / "a_mask.png").write_bytes(encode_labels(labels_image))
    write_pair(labelled, "b.png", "b_mask.png")  # a binary mask: instances derived from it
    built = build_dataset(labelled, DatasetSpec(width=64, height=64), tmp_path / "out2")
    items = {i.name: i for i in built.items}
    assert items["a"].objects == 3 and items["a"].instances_derived is False
    resized = read_image(tmp_path / "out2" / items["a"].instances, mask=True).array
    assert sorted(np.unique(resized).tolist()) == [0, 1, 2, 3] and (resized == 1).sum() == 144  # nearest, x2
    assert items["b"].instances_derived is True and items["b"].objects == 1
    codes = {p["code"] for p in built.problems}
    assert "mask-labels" in codes


def test_an_invalid_annotation_names_file_and_feature_and_the_others_build(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_annotated(source, "good", [(1, 1, 6)])
    write_annotated(source, "bad", [(1, 1, 6), (28, 28, 10)])
    built = build_dataset(source, DatasetSpec(width=None, height=None), tmp_path / "out")
    assert [i.name for i in built.items] == ["good"]
    (skipped,) = built.skipped
    (problem,) = skipped.problems
    assert problem["code"] == "annotation-invalid" and problem["file"] == "bad.geojson"
    assert problem["message"].startswith("feature 1: Polygon reaches outside the 32 x 32 image")
