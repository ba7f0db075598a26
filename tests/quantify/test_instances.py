from __future__ import annotations

import numpy as np

from unetops.quantify.config import load_profile
from unetops.quantify.instances import Nuclei, nucleus_instances

KI67 = load_profile("ki67")


def test_a_sources_own_instances_are_kept_and_only_small_ones_dropped() -> None:
    labels = np.zeros((40, 40), np.int32)
    labels[5:15, 5:15], labels[5:15, 15:25] = 7, 3  # two touching squares: one blob for a binary mask
    labels[30:32, 30:32] = 9  # smaller than the profile's min_area_um2 (at an assumed 0.5 um/px)
    given = nucleus_instances(Nuclei(labels > 0, labels), KI67)
    assert given.max() == 2 and sorted(np.bincount(given.ravel())[1:].tolist()) == [100, 100]
    binary = nucleus_instances(Nuclei(labels > 0), KI67.model_copy(update={"split_touching": False}))
    assert binary.max() == 1  # without instances and without splitting, the touching pair is one nucleus
