from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers import rgb_image, write_image
from unetops.sample.slide import SyntheticSlide
from unetops.slide.describe import describe_slides, resolved_mpp, slide_info
from unetops.slide.readers import OpenSlideReader, PlainImageReader, SlideError, TiffSlideReader, open_slide


def test_the_registry_picks_openslide_for_svs_and_tifffile_for_ome(svs_slide: SyntheticSlide, ome_slide) -> None:
    with open_slide(svs_slide.path) as svs, open_slide(ome_slide.path) as ome:
        assert isinstance(svs, OpenSlideReader) and isinstance(ome, TiffSlideReader)
        for reader in (svs, ome):
            assert reader.info.level_dimensions == ((4096, 3072), (1024, 768), (256, 192))
            assert reader.info.level_downsamples == (1.0, 4.0, 16.0) and reader.info.mpp == pytest.approx(0.5)
        assert (svs.info.vendor, ome.info.vendor) == ("aperio", "ome-tiff") and svs.info.objective_power == 20


@pytest.mark.parametrize("level", [0, 1, 2])
def test_regions_at_every_level_agree_between_formats(svs_slide: SyntheticSlide, ome_slide, level: int) -> None:
    hx, hy, side, _ = svs_slide.hotspot  # tissue around its centre
    downsample = 4**level
    x, y = hx + side // 2 - 32 * downsample, hy + side // 2 - 24 * downsample
    with open_slide(svs_slide.path) as svs, open_slide(ome_slide.path) as ome:
        a = svs.read_region(level, (x, y), (64, 48)).astype(int)
        b = ome.read_region(level, (x, y), (64, 48)).astype(int)
    assert a.shape == b.shape == (48, 64, 3)
    assert np.abs(a - b).mean() < 6  # JPEG (SVS) against lossless (OME-TIFF)
    assert a.std() > 10  # tissue, not glass


def test_outside_the_slide_is_white_and_the_best_level_is_never_upsampled(ome_slide: SyntheticSlide) -> None:
    with open_slide(ome_slide.path) as reader:
        corner = reader.read_region(0, (4096 - 8, 3072 - 8), (16, 16))
        assert (corner[8:, :] == 255).all() and (corner[:, 8:] == 255).all()
        assert [reader.best_level(d) for d in (1, 2, 3.9, 4, 10, 16, 100)] == [0, 0, 0, 1, 1, 2, 2]
        thumbnail, scale = reader.thumbnail(8)
        assert thumbnail.shape == (384, 512, 3) and scale == 8
        import cv2

        whole = reader.read_region(1, (0, 0), (1024, 768))  # the banded thumbnail equals one resize of the level
        assert np.abs(thumbnail.astype(int) - cv2.resize(whole, (512, 384), interpolation=cv2.INTER_AREA)).max() <= 1


def test_a_real_aperio_svs(real_svs: Path) -> None:
    info = slide_info(real_svs)
    assert (info.reader, info.vendor, info.dimensions) == ("openslide", "aperio", (2220, 2967))
    assert info.mpp == pytest.approx(0.499) and info.objective_power == 20
    assert set(info.associated) == {"label", "macro", "thumbnail"}
    with open_slide(real_svs) as reader:
        region = reader.read_region(0, (1000, 1000), (256, 256))
        assert region.shape == (256, 256, 3) and region.std() > 5
        assert reader.associated_image("label").ndim == 3


def test_bad_slides_name_the_file_and_the_batch_goes_on(svs_slide: SyntheticSlide, tmp_path: Path) -> None:
    truncated = tmp_path / "cut.svs"
    truncated.write_bytes(svs_slide.path.read_bytes()[:4000])
    text = tmp_path / "notes.ome.tif"
    text.write_text("not a slide")
    plain = write_image(tmp_path / "plain.png", rgb_image(64))
    infos, failures = describe_slides([truncated, svs_slide.path, text, plain, tmp_path / "gone.ndpi"])
    assert [i.path for i in infos] == [svs_slide.path]
    assert {path.name for path, _ in failures} == {"cut.svs", "notes.ome.tif", "plain.png", "gone.ndpi"}
    reasons = {path.name: message for path, message in failures}
    assert (
        reasons["plain.png"].startswith(f"{plain}: the file records no pixel size") and "--mpp" in reasons["plain.png"]
    )
    assert "slide not found" in reasons["gone.ndpi"] and str(truncated) in reasons["cut.svs"]
    with open_slide(plain) as reader:
        assert isinstance(reader, PlainImageReader) and reader.info.mpp is None
        assert resolved_mpp(reader.info, 0.25) == 0.25
    assert describe_slides([plain], mpp=0.5)[0][0].mpp == 0.5


def test_a_truncated_tile_is_a_slide_error(ome_slide: SyntheticSlide, tmp_path: Path) -> None:
    cut = tmp_path / "cut.ome.tif"
    data = ome_slide.path.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(SlideError) as caught, open_slide(cut) as reader:
        reader.read_region(0, (0, 2800), (4096, 272))
    assert caught.value.path == cut


def test_tiles_are_read_at_the_models_resolution_from_the_nearest_finer_level(ome_slide: SyntheticSlide) -> None:
    import cv2

    from unetops.slide.tiles import Tile, TileGrid

    tile = Tile(0, 0, 0, 300, 200, 64, 0)
    with open_slide(ome_slide.path) as reader:
        at_level_1 = TileGrid.for_slide(reader, 0.5, 2.0, 64, 0)  # 4x coarser: level 1 exactly
        assert np.array_equal(at_level_1.read(reader, tile), reader.read_region(1, (1200, 800), (64, 64)))
        at_double = TileGrid.for_slide(reader, 0.5, 1.0, 64, 0)  # 2x coarser: level 0, halved
        full = reader.read_region(0, (600, 400), (128, 128))
        expected = cv2.resize(full, (64, 64), interpolation=cv2.INTER_AREA)
        assert np.array_equal(at_double.read(reader, tile), expected)
        assert at_double.width == 2048 and at_double.height == 1536
