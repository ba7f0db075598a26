from __future__ import annotations

from unetops.train.autosize import choose_batch_size, choose_patch_size, choose_steps_per_epoch, estimate_sample_bytes


def test_patch_fits_the_smallest_image_and_the_divisor() -> None:
    assert choose_patch_size([(300, 400), (250, 260)], 8, None, on_gpu=False) == 128
    assert choose_patch_size([(300, 400), (250, 260)], 8, None, on_gpu=True) == 248
    assert choose_patch_size([(60, 60)], 16, None, on_gpu=False) == 48
    assert choose_patch_size([(60, 60)], 16, 96, on_gpu=False) == 96


def test_batch_from_memory_within_bounds() -> None:
    per_sample = estimate_sample_bytes(128, 16, 4)
    assert choose_batch_size(128, 16, 4, 100, per_sample * 4 * 5, on_gpu=True, requested=None) == 5
    assert choose_batch_size(128, 16, 4, 100, 10**12, on_gpu=False, requested=None) == 8
    assert choose_batch_size(128, 16, 4, 100, 10**12, on_gpu=True, requested=None) == 32
    assert choose_batch_size(128, 16, 4, 3, 10**12, on_gpu=True, requested=None) == 3
    assert choose_batch_size(128, 16, 4, 100, 0, on_gpu=False, requested=None) == 2
    assert choose_batch_size(128, 16, 4, 100, 0, on_gpu=False, requested=6) == 6


def test_steps_cover_the_pixels_once() -> None:
    assert choose_steps_per_epoch([(256, 256)] * 16, 128, 8, None) == 8
    assert choose_steps_per_epoch([(64, 64)], 128, 8, None) == 1
    assert choose_steps_per_epoch([(64, 64)], 128, 8, 5) == 5
