"""The web UI in Debian's headless Chromium, driven by Playwright (no browser download)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from helpers import tile_png
from serve.conftest import ARTIFACTS
from unetops.spec import spec_problems


@pytest.fixture
def page(browser, served):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 1000})
    tab = context.new_page()
    tab.goto(f"{served.url}/ui/index.html")
    tab.fill("#token-input", served.token)
    tab.click("#token-save")
    yield tab
    context.close()


def test_spec_form_generates_and_downloads_the_spec(page, tmp_path: Path) -> None:
    page.fill("#width", "640")
    page.fill("#height", "480")
    page.select_option("#image_type", label="BMP")
    page.select_option("#color_model", label="GRAYSCALE")
    page.check("#separate_file_format")
    page.fill("#description", "_label")
    with page.expect_download() as download:
        page.click("#generate")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    expected, problems = spec_problems(
        {
            "width": "640",
            "height": "480",
            "image_type": "3",
            "color_model": "2",
            "separate_file_format": "on",
            "description": "_label",
            "resize": "stretch",
            "split": {"train": 0.7, "val": 0.15, "test": 0.15},
            "seed": 0,
            "preprocess": [],
        }
    )
    assert saved.name == "dataset-spec.json" and not problems
    assert json.loads(saved.read_text()) == expected.model_dump(mode="json")
    assert json.loads(page.text_content("#spec-json")) == expected.model_dump(mode="json")


def test_spec_form_covers_split_group_resize_and_preprocessing(page, tmp_path: Path) -> None:
    assert "train and test" in page.text_content("#group-warning")  # no group pattern yet: slides can leak
    page.select_option("#resize", "fit")
    page.fill("#pixel_size_um", "0.5")
    page.fill("#split_train", "0.6")
    page.fill("#split_val", "0.2")
    page.fill("#split_test", "0.2")
    page.fill("#seed", "7")
    page.fill("#group_pattern", "(patient\\d+)")
    assert page.text_content("#group-warning") == ""
    page.check("input[name=op][value=clahe]")
    with page.expect_download() as download:
        page.click("#generate")
    saved = tmp_path / "spec.json"
    download.value.save_as(saved)
    spec = json.loads(saved.read_text())
    assert spec["resize"] == "fit" and spec["pixel_size_um"] == 0.5 and spec["seed"] == 7
    assert spec["split"] == {"train": 0.6, "val": 0.2, "test": 0.2} and spec["group_pattern"] == "(patient\\d+)"
    assert [op["op"] for op in spec["preprocess"]] == ["clahe"]
    page.fill("#split_train", "0.9")  # fractions that no longer add up to 1: the server says so beside them
    page.click("#generate")
    page.wait_for_function("document.querySelector('.error[data-for=split]').textContent.length > 0")
    assert page.is_hidden("#result")


def test_spec_form_shows_problems_inline(page) -> None:
    page.fill("#width", "0")
    page.click("#generate")
    assert page.text_content('.error[data-for="width"]').strip() != ""
    assert page.is_hidden("#result")


def test_upload_shows_overlay_count_and_table(page, served) -> None:
    image, data = tile_png(128, seed=9)
    _, other = tile_png(96, seed=3)
    expected = httpx.post(
        f"{served.url}/v1/quantify", files={"file": ("tile.png", data)}, headers=served.auth, timeout=60
    ).json()["summary"]
    page.goto(f"{served.url}/ui/analyse.html")
    page.set_input_files("#file", files=[{"name": "tile.png", "mimeType": "image/png", "buffer": data},
                                         {"name": "other.png", "mimeType": "image/png", "buffer": other}])  # fmt: skip
    page.click("#analyse")
    page.wait_for_selector("#busy:not([hidden])", state="attached")
    page.wait_for_selector("#analysis:not([hidden])")
    page.wait_for_function("document.querySelectorAll('#images tbody tr').length === 2")
    page.wait_for_function("document.getElementById('overlay').naturalWidth > 0")
    assert page.evaluate("document.getElementById('overlay').naturalWidth") == image.shape[1]
    assert expected["nuclei"] > 0 and page.text_content("#count") == str(expected["nuclei"])
    assert page.text_content("#negative") == str(expected["negative"])
    assert page.text_content("#allred") == str(expected["allred_total"])
    assert page.text_content("#index-name") == "Ki-67 index" and page.is_visible(".legend .swatch.positive")
    assert page.locator("#nuclei tbody tr").count() == expected["nuclei"]
    low = page.text_content("#low-count")  # fewer nuclei than an index needs: explained, not an error
    assert "at least 500 nuclei" in low and "Analyse more fields" in low
    page.click("#toggle-view")
    assert page.evaluate("document.getElementById('overlay').src").startswith("blob:")
    assert page.text_content("#toggle-view") == "Show the nuclei"
    with page.expect_download() as download:
        page.click("#download-csv")
    assert download.value.suggested_filename == "tile_nuclei.csv"
    page.click("#images tbody tr:nth-child(2)")
    assert page.text_content("#shown-name") == "other.png"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-analyse.png"), full_page=True)


def test_the_index_is_named_after_the_marker(page, served) -> None:
    _, data = tile_png(96, seed=4)
    page.goto(f"{served.url}/ui/analyse.html")
    page.select_option("#profile", "er")
    page.set_input_files("#file", files=[{"name": "er.png", "mimeType": "image/png", "buffer": data}])
    page.click("#analyse")
    page.wait_for_selector("#analysis:not([hidden])")
    assert page.text_content("#index-name") == "ER index" and page.text_content("#index-head") == "ER index"


def test_models_page_shows_the_served_model(page, served, serving_model: Path) -> None:
    page.goto(f"{served.url}/ui/models.html")
    page.wait_for_selector("#served tbody tr")
    assert str(serving_model) in page.text_content("#served")
    assert "MLFLOW_TRACKING_URI" in page.text_content("#registry-note")


def test_a_wrong_token_is_asked_for_again(browser, served) -> None:
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(f"{served.url}/ui/models.html")
    tab.fill("#token-input", "definitely-not-the-token")
    tab.click("#token-save")
    tab.wait_for_selector("#token-bar:not([hidden])")
    assert "not accepted" in tab.text_content("#token-message")
    context.close()
