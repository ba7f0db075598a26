"""The slides page in Debian's headless Chromium: start a job, follow it, view the slide with its overlays, jump
to the hot spot, click a nucleus, download the GeoJSON."""

from __future__ import annotations

import json
import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from serve.conftest import ARTIFACTS, Served, serving
from unetops.sample.slide import write_synthetic_slide


@pytest.fixture(scope="module")
def slide_service(serving_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("viewer-data")
    write_synthetic_slide(data / "slide.svs")
    home = tmp_path_factory.mktemp("viewer-service")
    with serving(serving_model, home, "--data-folder", str(data), "--jobs-folder", str(home / "jobs")) as server:
        yield server


def items(page) -> int:
    return page.evaluate("window.unetopsViewer.viewer.world.getItemCount()")


def test_a_slide_job_from_start_to_the_nuclei(browser, slide_service: Served, tmp_path: Path) -> None:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{slide_service.url}/ui/slides.html")
    page.fill("#token-input", slide_service.token)
    page.click("#token-save")
    page.wait_for_selector("#slide option[value='slide.svs']", state="attached")
    page.click("#start")
    page.wait_for_selector("#jobs tr[data-state='running'], #jobs tr[data-state='done']", timeout=60_000)
    page.wait_for_selector("#jobs tr[data-state='done'] button.view", timeout=240_000)
    done, total = re.search(r"(\d+) / (\d+) tiles", page.text_content("#jobs tbody tr")).groups()
    assert done == total and int(total) > 0
    page.click("#jobs button.view")
    page.wait_for_function("window.unetopsViewer && window.unetopsViewer.viewer.world.getItemCount() === 1")
    assert "Ki-67 index" in page.text_content("#figures") and page.is_visible("#hotspot-box")

    page.check("#show-heatmap")
    page.wait_for_function("window.unetopsViewer.viewer.world.getItemCount() === 2")
    assert page.evaluate("window.unetopsViewer.viewer.world.getItemAt(1).getOpacity()") == 1  # a transparent layer
    page.check("#show-tissue")
    page.wait_for_function("window.unetopsViewer.viewer.world.getItemCount() === 3")
    page.uncheck("#show-heatmap")
    page.uncheck("#show-tissue")
    page.wait_for_function("window.unetopsViewer.viewer.world.getItemCount() === 1")
    page.uncheck("#show-hotspot")
    assert page.query_selector("#hotspot-box") is None
    page.check("#show-hotspot")

    page.click("#goto-hotspot")
    page.wait_for_function("document.querySelectorAll('#nuclei-layer polygon').length > 100", timeout=30_000)
    assert "nuclei in view" in page.text_content("#nuclei-status")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-slide-viewer.png"))
    target = page.evaluate(
        """() => {
        const shown = window.unetopsViewer;
        const n = shown.nuclei.find((n) => n.area_um2 > 20 && inside([n.x, n.y], n.contour));
        const p = shown.viewer.viewport.imageToViewerElementCoordinates(new OpenSeadragon.Point(n.x, n.y));
        return { x: p.x, y: p.y, id: n.id, positive: n.positive };
    }"""
    )
    box = page.locator("#viewer").bounding_box()
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    page.wait_for_selector("#nucleus:not([hidden])")
    details = page.text_content("#nucleus")
    assert f"#{target['id']}" in details and ("positive" if target["positive"] else "negative") in details

    with page.expect_download() as download:
        page.click("a[data-file='nuclei.geojson']")
    saved = tmp_path / "nuclei.geojson"
    download.value.save_as(saved)
    features = json.loads(saved.read_text())["features"]
    nuclei = int(page.text_content("#figures div:first-child b"))
    assert len(features) == nuclei > 0
    context.close()


def test_a_job_resumes_in_the_page_after_the_service_is_killed(browser, serving_model: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_synthetic_slide(data / "slide.svs", seed=3)
    options = ("--data-folder", str(data), "--jobs-folder", str(tmp_path / "jobs"))
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()

    def open_page(served: Served) -> None:
        page.goto(f"{served.url}/ui/slides.html")
        page.fill("#token-input", served.token)
        page.click("#token-save")

    with serving(serving_model, tmp_path, *options) as first:
        open_page(first)
        page.wait_for_selector("#slide option[value='slide.svs']", state="attached")
        page.click("#start")
        page.wait_for_function("(document.querySelector('#jobs tr[data-state=running] progress') || {}).value >= 3")
        os.kill(first.pid, signal.SIGKILL)
    with serving(serving_model, tmp_path, *options) as second:
        open_page(second)
        page.wait_for_selector("#jobs tr[data-state='done'] button.view", timeout=240_000)
    assert len(page.query_selector_all("#jobs tbody tr")) == 1
    context.close()
