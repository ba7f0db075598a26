from __future__ import annotations

import numpy as np
import pytest

from unetops.slide.hotspot import find_hotspot


def test_the_densest_positive_field_with_enough_nuclei_wins() -> None:
    rng = np.random.default_rng(0)
    mpp, size = 1.0, (4000, 4000)  # 4 x 4 mm at 1 um/px: a 0.2 mm2 field is 447 px wide
    x, y = rng.uniform(0, 4000, 20000), rng.uniform(0, 4000, 20000)
    positive = rng.random(20000) < 0.1
    in_hot = (x > 2500) & (x < 3000) & (y > 500) & (y < 1000)
    positive[in_hot] = rng.random(in_hot.sum()) < 0.6
    sparse_hot = (x > 100) & (x < 200) & (y > 3000) & (y < 3100)  # 100 % positive, but too few nuclei
    positive[sparse_hot] = True
    found = find_hotspot(x, y, positive, size, mpp, min_nuclei=200)
    assert found is not None and 2500 - 447 < found.x < 3000 and 500 - 447 < found.y < 1000
    assert found.area_mm2 == pytest.approx(0.2, rel=0.01) and found.nuclei >= 200
    inside = (x >= found.x) & (x < found.x + found.width) & (y >= found.y) & (y < found.y + found.height)
    # reported in whole pixels, with exactly the nuclei of that box (what QuPath counts in the annotation)
    assert found.nuclei == inside.sum() and found.positive == positive[inside].sum()
    assert found.index == pytest.approx(100 * found.positive / found.nuclei)


def test_no_field_with_enough_nuclei_means_no_hot_spot() -> None:
    x, y = np.array([10.0, 20.0]), np.array([10.0, 20.0])
    assert find_hotspot(x, y, np.array([True, False]), (100, 100), 0.5, min_nuclei=500) is None
