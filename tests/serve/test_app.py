from __future__ import annotations

import io
import json
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from helpers import FORM_JSON, png_bomb, tile_png
from unetops.model.backends import load_model
from unetops.model.tiled import predict_probabilities


def post_image(served, path: str, data: bytes, name: str = "tile.png", **params) -> httpx.Response:
    return httpx.post(
        f"{served.url}{path}", params=params, files={"file": (name, data)}, headers=served.auth, timeout=60
    )


def test_health_and_metrics_need_no_token(served) -> None:
    assert httpx.get(f"{served.url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{served.url}/readyz").json()["status"] == "ready"
    metrics = httpx.get(f"{served.url}/metrics").text
    assert "unetops_http_requests_total" in metrics and "unetops_model_info{" in metrics


def test_no_token_is_401_and_a_wrong_token_403(served) -> None:
    missing = httpx.get(f"{served.url}/v1/models")
    assert missing.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.get(f"{served.url}/v1/models", headers={"Authorization": "Bearer not-the-token-at-all"})
    assert wrong.status_code == 403 and wrong.json()["title"] == "Forbidden"
    _, data = tile_png()
    assert httpx.post(f"{served.url}/v1/segment", files={"file": ("t.png", data)}).status_code == 401


def test_segment_returns_the_models_mask(served, serving_model: Path) -> None:
    image, data = tile_png(96, seed=4)
    response = post_image(served, "/v1/segment", data)
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    mask = np.asarray(Image.open(io.BytesIO(response.content)))
    model = load_model(serving_model)
    expected = predict_probabilities(image, model.logits, model.metadata) > model.metadata.threshold
    assert mask.shape == (96, 96) and np.array_equal(mask > 0, expected)
    overlay = post_image(served, "/v1/segment", data, output="overlay")
    assert np.asarray(Image.open(io.BytesIO(overlay.content))).shape == (96, 96, 3)


def test_segment_json_has_count_and_contours(served) -> None:
    _, data = tile_png(96, seed=5)
    body = post_image(served, "/v1/segment", data, output="json").json()
    assert body["width"] == body["height"] == 96
    assert body["objects"] == len(body["contours"])
    assert all(len(point) == 2 for contour in body["contours"] for point in contour)


def test_quantify_json_and_csv(served) -> None:
    _, data = tile_png(96, seed=6)
    body = post_image(served, "/v1/quantify", data, profile="er", images="true").json()
    assert body["summary"]["nuclei"] == len(body["nuclei"]) > 0
    assert body["profile"]["name"] == "er" and body["mask_png"] and body["overlay_png"]
    csv_text = post_image(served, "/v1/quantify", data, format="csv").text
    assert csv_text.startswith("image,id,") and len(csv_text.splitlines()) == len(body["nuclei"]) + 1
    assert post_image(served, "/v1/quantify", data, profile="../../etc/passwd").status_code == 422


def test_spec_validation_accepts_the_form_json_and_lists_problems(served) -> None:
    ok = httpx.post(f"{served.url}/v1/specs/validate", json=FORM_JSON, headers=served.auth)
    assert ok.status_code == 200
    assert ok.json()["spec"]["layout"] == "separate" and ok.json()["spec"]["width"] == 512
    bad = httpx.post(
        f"{served.url}/v1/specs/validate", json={**FORM_JSON, "width": "wide", "image_type": "9"}, headers=served.auth
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert [p.split(":")[0] for p in bad.json()["problems"]] == ["width", "image_type"]


def test_models_lists_the_served_model_without_a_registry(served, serving_model: Path) -> None:
    body = httpx.get(f"{served.url}/v1/models", headers=served.auth).json()
    assert body["served"]["file"] == "model.onnx" and body["served"]["reference"] == str(serving_model)
    assert body["registry"]["available"] is False and "MLFLOW_TRACKING_URI" in body["registry"]["reason"]


def test_drift_rises_for_images_unlike_the_training_data(served) -> None:
    image, data = tile_png(96, seed=7)
    post_image(served, "/v1/segment", data)
    before = httpx.get(f"{served.url}/v1/drift", headers=served.auth).json()
    inverted = Image.fromarray(255 - image)
    buffer = io.BytesIO()
    inverted.save(buffer, format="PNG")
    for _ in range(30):
        post_image(served, "/v1/segment", buffer.getvalue())
    after = httpx.get(f"{served.url}/v1/drift", headers=served.auth).json()
    assert after["score"] > 1 > before["score"]
    assert f"unetops_input_drift_score {after['score']}" in httpx.get(f"{served.url}/metrics").text


def test_bad_uploads_get_problem_details_naming_the_file(served) -> None:
    _, data = tile_png()
    truncated = post_image(served, "/v1/segment", data[: len(data) // 2], name="cut.png")
    assert truncated.status_code == 400 and "cut.png" in truncated.json()["detail"]
    text = post_image(served, "/v1/segment", b"just some text\n" * 10, name="notes.png")
    assert text.status_code == 415 and "notes.png" in text.json()["detail"]
    bomb = post_image(served, "/v1/segment", png_bomb(), name="bomb.png")
    assert bomb.status_code == 413 and "30000x30000" in bomb.json()["detail"]
    huge = post_image(served, "/v1/segment", data + bytes(2 * 2**20), name="big.png")
    assert huge.status_code == 413 and huge.headers["content-type"] == "application/problem+json"
    path = post_image(served, "/v1/segment", b"BM" + bytes(10), name="../../etc/passwd")
    assert path.status_code == 400 and "/etc" not in path.json()["detail"]


def logged_requests(log: Path, wanted: set[str]) -> dict[str, dict]:
    """Request log entries by request id, waiting (up to 10 s) for `wanted`: a line is written after its response."""
    deadline = time.monotonic() + 10
    while True:
        lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
        logged = {entry.get("request_id"): entry for entry in lines if entry["message"] == "request"}
        if wanted <= set(logged) or time.monotonic() > deadline:
            return logged
        time.sleep(0.05)


def test_requests_are_logged_as_json_with_their_request_id(served) -> None:
    response = httpx.get(f"{served.url}/healthz", headers={"X-Request-ID": "trace-42"})
    assert response.headers["x-request-id"] == "trace-42"
    generated = httpx.get(f"{served.url}/healthz").headers["x-request-id"]
    logged = logged_requests(served.log, {"trace-42", generated})
    assert logged["trace-42"]["status"] == 200 and logged["trace-42"]["endpoint"] == "/healthz"
    assert generated in logged and logged[generated]["duration_ms"] >= 0


def test_cors_is_off_by_default(served) -> None:
    response = httpx.options(
        f"{served.url}/v1/models",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in response.headers


def test_a_grayscale_image_for_a_colour_model_is_answered_with_a_warning(served) -> None:
    image, _ = tile_png(96, seed=7)
    grey = io.BytesIO()
    Image.fromarray(image.mean(axis=2).astype(np.uint8)).save(grey, format="PNG")
    quantified = post_image(served, "/v1/quantify", grey.getvalue(), "grey.png")
    assert quantified.status_code == 200 and quantified.json()["warnings"][0].startswith("grayscale image")
    mask = post_image(served, "/v1/segment", grey.getvalue(), "grey.png")
    assert mask.status_code == 200 and mask.headers["x-input-warnings"].startswith("grayscale image")
    _, colour = tile_png(96)
    plain = post_image(served, "/v1/segment", colour, output="json")
    assert plain.json()["warnings"] == [] and "x-input-warnings" not in plain.headers


def test_a_float_tiff_is_a_400_naming_the_file_not_a_500(served) -> None:
    import tifffile

    buffer = io.BytesIO()
    tifffile.imwrite(buffer, np.linspace(0, 5, 64 * 64, dtype=np.float32).reshape(64, 64))
    for path in ("/v1/segment", "/v1/quantify"):
        answer = post_image(served, path, buffer.getvalue(), name="float.tif")
        assert answer.status_code == 400, answer.text
        assert answer.json()["detail"].startswith("float.tif: floating-point image (float32)")
    unit = io.BytesIO()
    tifffile.imwrite(unit, np.full((64, 64), 0.5, np.float32))
    assert post_image(served, "/v1/segment", unit.getvalue(), name="unit.tif").status_code == 200


def request_series(served) -> set[str]:
    text = httpx.get(f"{served.url}/metrics").text
    return {line.split(" ")[0] for line in text.splitlines() if line.startswith("unetops_http_requests_total{")}


def test_odd_requests_cannot_inflate_the_metrics(served) -> None:
    with httpx.Client(timeout=10) as client:
        client.request("M0", f"{served.url}/healthz")
        client.get(f"{served.url}/no/such/path")
        request_series(served)  # the scrape itself is a series too
        before = request_series(served)
        for index in range(1000):
            if index % 2:
                client.request(f"M{index}", f"{served.url}/healthz")
            else:
                client.get(f"{served.url}/random/{index}")
    after = request_series(served)
    assert after == before
    assert any('method="other"' in s for s in after) and any('endpoint="unmatched"' in s for s in after)


def test_an_early_413_is_counted_under_its_route(served) -> None:
    _, data = tile_png()
    assert post_image(served, "/v1/quantify", data + bytes(2 * 2**20), name="big.png").status_code == 413
    assert any('endpoint="/v1/quantify"' in s and 'status="413"' in s for s in request_series(served))


def test_a_client_that_goes_away_stops_its_inference(served) -> None:
    big = io.BytesIO()
    Image.fromarray(np.full((2000, 2000, 3), 200, np.uint8)).save(big, format="PNG")
    with pytest.raises(httpx.TimeoutException):
        post = httpx.post  # a client that gives up long before the inference would end
        url = f"{served.url}/v1/segment?tta=true"  # flips: four passes over the image, seconds of work
        post(url, files={"file": ("big.png", big.getvalue())}, headers=served.auth, timeout=0.5)
    deadline = time.monotonic() + 20
    while 'unetops_inference_cancelled_total{reason="disconnect"} 1.0' not in httpx.get(f"{served.url}/metrics").text:
        assert time.monotonic() < deadline, "the abandoned inference was not cancelled"
        time.sleep(0.2)
