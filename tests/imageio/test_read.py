from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from unetops.errors import ImageReadError
from unetops.imageio import decode_image, encode_image, image_to_uint8, is_image_file, mask_values, read_image
from unetops.imageio.read import EXIF_ORIENTATION
from unetops.spec import ImageType


def pil_bytes(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def test_rgb_png_round_trip() -> None:
    array = np.random.default_rng(0).integers(0, 256, (10, 12, 3), dtype=np.uint8)
    decoded = decode_image(encode_image(array, ImageType.png), Path("x.png"))
    assert decoded.size == (12, 10) and decoded.format == "PNG" and not decoded.exif_rotated
    np.testing.assert_array_equal(image_to_uint8(decoded), array)


def test_truncated_file_is_named_in_the_error() -> None:
    data = encode_image(np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8), ImageType.png)
    with pytest.raises(ImageReadError, match="truncated") as caught:
        decode_image(data[: len(data) // 2], Path("cut.png"))
    assert "cut.png" in str(caught.value)


def test_text_file_is_not_an_image() -> None:
    with pytest.raises(ImageReadError, match=r"not-image\.png"):
        decode_image(b"hello, I am text", Path("not-image.png"))


def test_exif_orientation_is_applied() -> None:
    array = np.zeros((4, 8, 3), np.uint8)
    array[0, 0] = 255  # top-left marker
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6  # display rotated 90 degrees clockwise
    decoded = decode_image(pil_bytes(Image.fromarray(array), "PNG", exif=exif.tobytes()), Path("r.png"))
    assert decoded.exif_rotated
    assert decoded.size == (4, 8)
    assert decoded.array[0, -1].tolist() == [255, 255, 255]  # top-left moved to top-right


def test_16bit_is_scaled_to_8bit() -> None:
    array = np.array([[0, 257, 65535]], dtype=np.uint16)
    decoded = decode_image(pil_bytes(Image.fromarray(array), "PNG"), Path("d.png"))
    assert decoded.bit_depth == 16
    assert image_to_uint8(decoded).tolist() == [[0, 1, 255]]


def test_16bit_tiff() -> None:
    array = np.arange(12, dtype=np.uint16).reshape(3, 4) * 5000
    decoded = decode_image(pil_bytes(Image.fromarray(array), "TIFF"), Path("d.tif"))
    assert decoded.bit_depth == 16 and decoded.size == (4, 3)


def test_alpha_opaque_and_transparent() -> None:
    rgba = np.full((2, 2, 4), 255, np.uint8)
    opaque = decode_image(pil_bytes(Image.fromarray(rgba, "RGBA"), "PNG"), Path("a.png"))
    assert opaque.has_alpha and opaque.alpha_opaque
    assert image_to_uint8(opaque).shape == (2, 2, 3)
    rgba[0, 0, 3] = 0
    clear = decode_image(pil_bytes(Image.fromarray(rgba, "RGBA"), "PNG"), Path("a.png"))
    assert not clear.alpha_opaque


def test_palette_keeps_indices_for_masks_and_colours_for_images() -> None:
    image = Image.fromarray(np.array([[0, 1], [2, 1]], np.uint8), "P")
    image.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0] + [0] * 759)
    data = pil_bytes(image, "PNG")
    assert mask_values(decode_image(data, Path("m.png"), mask=True)).tolist() == [[0, 1], [2, 1]]
    assert decode_image(data, Path("i.png")).array[0, 1].tolist() == [255, 0, 0]


def test_read_image_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImageReadError, match="cannot read file"):
        read_image(tmp_path / "none.png")


def test_is_image_file(tmp_path: Path) -> None:
    for name in ("a.PNG", "b.tiff", ".hidden.png", "c.txt"):
        (tmp_path / name).write_bytes(b"")
    assert sorted(p.name for p in tmp_path.iterdir() if is_image_file(p)) == ["a.PNG", "b.tiff"]


def test_a_16_bit_colour_tiff_keeps_its_depth(tmp_path: Path) -> None:
    import tifffile

    rgb16 = np.random.default_rng(0).integers(0, 65536, (8, 8, 3)).astype(np.uint16)
    tifffile.imwrite(tmp_path / "a.tif", rgb16, photometric="rgb")
    decoded = read_image(tmp_path / "a.tif")
    assert decoded.bit_depth == 16 and decoded.array.dtype == np.uint16 and np.array_equal(decoded.array, rgb16)
    assert np.array_equal(image_to_uint8(decoded), ((rgb16.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_tiffs_in_0_1_are_scaled_and_others_refused(tmp_path: Path, dtype: type) -> None:
    import tifffile

    ramp = np.linspace(0, 1, 64, dtype=dtype).reshape(8, 8)
    tifffile.imwrite(tmp_path / "ramp.tif", ramp)
    decoded = read_image(tmp_path / "ramp.tif")
    assert decoded.array.dtype == np.uint8 and decoded.array.max() == 255 and decoded.array.min() == 0
    tifffile.imwrite(tmp_path / "zeros.tif", np.zeros((64, 64), dtype))
    assert read_image(tmp_path / "zeros.tif").array.max() == 0
    tifffile.imwrite(tmp_path / "hdr.tif", ramp * 4000)
    with pytest.raises(ImageReadError, match=r"floating-point image .* values 0\.\.4000") as caught:
        read_image(tmp_path / "hdr.tif")
    assert caught.value.path == tmp_path / "hdr.tif" and "8- or 16-bit" in caught.value.fix
