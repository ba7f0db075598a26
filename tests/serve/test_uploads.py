from __future__ import annotations

import pytest

from helpers import png_bomb, tile_png
from unetops.serve.problems import Problem
from unetops.serve.uploads import decode_upload, sniff_format, upload_name


def test_formats_are_sniffed_from_content() -> None:
    _, data = tile_png(48)
    assert sniff_format(data) == "PNG"
    assert sniff_format(b"\xff\xd8\xff\xe0....") == "JPEG"
    assert sniff_format(b"II*\x00rest") == "TIFF"
    assert sniff_format(b"<svg xmlns=...>") is None


def test_names_never_carry_paths() -> None:
    assert upload_name("../../etc/passwd") == "passwd"
    assert upload_name("C:\\Users\\x\\slide 1.png") == "slide_1.png"
    assert upload_name(None) == "upload"


def test_decode_upload_statuses() -> None:
    image, data = tile_png(48)
    assert (decode_upload(data, "a.png", 48 * 48) == image).all()
    for payload, status in ((b"", 400), (b"hello", 415), (data[:40], 400), (png_bomb(3000), 413)):
        with pytest.raises(Problem) as caught:
            decode_upload(payload, "x.png", 1_000_000)
        assert caught.value.status == status and "x.png" in caught.value.detail


def test_problems_never_show_python_object_reprs() -> None:
    with pytest.raises(Problem) as caught:
        decode_upload(b"BM" + bytes(10), "fake.png", 10**6)  # Pillow: "cannot identify image file <_io...>"
    assert caught.value.status == 400 and "fake.png" in caught.value.detail and " at 0x" not in caught.value.detail
