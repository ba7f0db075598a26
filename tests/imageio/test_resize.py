from __future__ import annotations

import numpy as np
import pytest

from unetops.imageio.resize import resize_array
from unetops.imageio.types import ResizePolicy


@pytest.mark.parametrize(
    ("policy", "content_rows", "content_cols"),
    [(ResizePolicy.stretch, 40, 40), (ResizePolicy.fit, 20, 40), (ResizePolicy.crop, 40, 40)],
)
def test_resize_policies(policy: ResizePolicy, content_rows: int, content_cols: int) -> None:
    """A 20x10 (w x h) block brought to 40x40: stretched fills it, fit pads top and bottom, crop fills it."""
    ones = np.ones((10, 20), np.uint8)
    out = resize_array(ones, (40, 40), policy, nearest=True)
    rows, cols = np.nonzero(out)
    assert out.shape == (40, 40)
    assert (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1) == (content_rows, content_cols)


def test_crop_keeps_the_centre() -> None:
    ramp = np.tile(np.arange(40, dtype=np.uint8), (10, 1))  # 40 wide, 10 high
    out = resize_array(ramp, (10, 10), ResizePolicy.crop, nearest=True)
    assert out[0, 0] == 15 and out[0, -1] == 24
