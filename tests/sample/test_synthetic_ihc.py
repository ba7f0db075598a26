from __future__ import annotations

import numpy as np

from unetops.sample import STAIN_OD, synthetic_ihc_tile


def tile(seed: int = 0, **kwargs):
    return synthetic_ihc_tile(np.random.default_rng(seed), **kwargs)


def test_deterministic_for_a_seed() -> None:
    a, b = tile(1), tile(1)
    np.testing.assert_array_equal(a.image, b.image)
    np.testing.assert_array_equal(a.instances, b.instances)
    assert not np.array_equal(a.image, tile(2).image)


def test_truth_matches_the_label_image() -> None:
    t = tile(0, nuclei=30)
    assert t.image.shape == (256, 256, 3) and t.image.dtype == np.uint8
    assert len(t.nuclei) == t.instances.max() >= 25
    for n in t.nuclei:
        assert n.area == int((t.instances == n.label).sum())


def test_touching_nuclei_exist() -> None:
    t = tile(0, nuclei=40, touching_fraction=0.6)
    from scipy import ndimage

    components = ndimage.label(t.mask, structure=np.ones((3, 3)))[1]
    assert components < len(t.nuclei) - 3


def test_positive_nuclei_carry_dab_and_negatives_do_not() -> None:
    t = tile(3, nuclei=40, positive_fraction=0.5)
    od = -np.log10(np.clip(t.image.astype(float), 1, 255) / 255.0)
    stains = od.reshape(-1, 3) @ np.linalg.inv(STAIN_OD)
    dab = stains[:, 2].reshape(t.mask.shape)
    positives = [n for n in t.nuclei if n.positive]
    negatives = [n for n in t.nuclei if not n.positive]
    assert positives and negatives
    assert min(dab[t.instances == n.label].mean() for n in positives) > 0.2
    assert max(dab[t.instances == n.label].mean() for n in negatives) < 0.1
    assert 0 < t.ki67_index < 100


def test_empty_tile() -> None:
    t = tile(0, nuclei=0)
    assert t.nuclei == () and not t.mask.any() and t.ki67_index == 0.0


def test_crowded_tiles_are_clusters_with_exact_truth(tmp_path) -> None:
    from scipy import ndimage

    from unetops.imageio import read_image
    from unetops.sample import write_crowded_sample

    t = tile(3, nuclei=60, crowded=True)
    assert len(t.nuclei) == t.instances.max() == 60
    for n in t.nuclei:
        assert n.area == int((t.instances == n.label).sum()) > 0
    components = ndimage.label(t.mask, structure=np.ones((3, 3)))[1]
    assert components <= len(t.nuclei) / 3  # clusters of 3 to 10, not scattered nuclei
    scattered = tile(3, nuclei=60)
    assert ndimage.label(scattered.mask, structure=np.ones((3, 3)))[1] > 2 * components
    source = write_crowded_sample(tmp_path, tiles=2, nuclei=30)
    labels = read_image(source / "masks" / "slide01_tile01.png", mask=True).array
    assert labels.dtype == np.uint16 and labels.max() >= 25
    assert (source / "images" / "slide01_tile02.png").exists()
