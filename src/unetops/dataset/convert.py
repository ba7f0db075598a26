"""Per-pair conversion to the spec: the image prepared as every model sees it, masks resized by nearest neighbour."""

from __future__ import annotations

import numpy as np

from unetops.dataset.inspect import LoadedPair
from unetops.imageio.resize import resize_array
from unetops.spec.model import DatasetSpec
from unetops.spec.prepare import prepare_image


def convert_pair(pair: LoadedPair, spec: DatasetSpec) -> LoadedPair:
    """Apply the spec's colour model, preprocessing and size to a pair; masks stay boolean, labels integer."""
    image = prepare_image(pair.image, spec, resize=True)
    mask, instances = pair.mask, pair.instances
    if spec.size is not None:
        mask = resize_array(mask.astype(np.uint8), spec.size, spec.resize, nearest=True) > 0
        if instances is not None:
            instances = resize_array(instances, spec.size, spec.resize, nearest=True)
    return LoadedPair(image, mask, instances)
