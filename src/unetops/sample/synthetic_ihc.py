"""One synthetic IHC tile: hematoxylin-blue and DAB-brown nuclei on a textured background.

Pixels follow the Beer-Lambert stain model: RGB = 255 * 10^-(C @ STAIN_OD), where C holds per-pixel
hematoxylin, eosin and DAB concentrations in optical-density units. Colour deconvolution with the same
stain vectors therefore recovers each nucleus's DAB optical density, which the truth records.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from skimage.draw import ellipse

# Ruifrok & Johnston stain OD vectors (rows: hematoxylin, eosin, DAB), unit length.
STAIN_OD = np.array([[0.650, 0.704, 0.286], [0.072, 0.990, 0.105], [0.268, 0.570, 0.776]])
STAIN_OD = STAIN_OD / np.linalg.norm(STAIN_OD, axis=1, keepdims=True)
DAB_LEVELS = (0.3, 0.5, 0.8)  # weak (1+), moderate (2+), strong (3+) mean DAB optical density


@dataclass(frozen=True)
class NucleusTruth:
    """What is known exactly about one synthetic nucleus."""

    label: int
    positive: bool
    dab_od: float
    area: int
    centroid_x: float
    centroid_y: float
    cell_class: str = "tumour"  # tumour, stroma or lymphocyte (the tissue generator); the simple look has tumour only
    membrane_score: int | None = None  # HER2: the cell's membrane score 0-3 (0, 1+, 2+, 3+)


@dataclass(frozen=True)
class SyntheticTile:
    """An RGB uint8 image, its int32 instance labels (0 background) and the truth of each nucleus."""

    image: np.ndarray
    instances: np.ndarray
    nuclei: tuple[NucleusTruth, ...]

    @property
    def mask(self) -> np.ndarray:
        return self.instances > 0

    @property
    def ki67_index(self) -> float:
        """Positive nuclei / all nuclei x 100 (0 for an empty tile)."""
        return 100.0 * sum(n.positive for n in self.nuclei) / len(self.nuclei) if self.nuclei else 0.0

    @property
    def tumour_index(self) -> float:
        """Positive tumour nuclei / tumour nuclei x 100, the index the guidelines count (0 without tumour)."""
        tumour = [n for n in self.nuclei if n.cell_class == "tumour"]
        return 100.0 * sum(n.positive for n in tumour) / len(tumour) if tumour else 0.0


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], sigma: float) -> np.ndarray:
    field = cv2.GaussianBlur(rng.standard_normal(shape).astype(np.float32), (0, 0), sigma)
    return field / (field.std() + 1e-6)


def _place(rng, labels, centre, axes, angle, label, allow_touch, max_overlap=0.2) -> np.ndarray | None:
    rows, cols = ellipse(centre[0], centre[1], axes[0], axes[1], shape=labels.shape, rotation=angle)
    if rows.size < 12:
        return None
    occupied = labels[rows, cols] > 0
    if allow_touch:
        if occupied.mean() > max_overlap:
            return None
    else:
        grown_rows, grown_cols = ellipse(
            centre[0], centre[1], axes[0] + 2, axes[1] + 2, shape=labels.shape, rotation=angle
        )
        if (labels[grown_rows, grown_cols] > 0).any():
            return None
    keep = ~occupied
    labels[rows[keep], cols[keep]] = label
    return np.stack([rows[keep], cols[keep]])


def synthetic_ihc_tile(
    rng: np.random.Generator,
    *,
    height: int = 256,
    width: int = 256,
    nuclei: int = 40,
    positive_fraction: float = 0.3,
    touching_fraction: float = 0.3,
    radius: tuple[float, float] = (5.0, 10.0),
    crowded: bool = False,
) -> SyntheticTile:
    """Draw one tile.

    Args:
        rng: the random generator (the tile is a pure function of its state and the arguments).
        height, width: tile size in pixels.
        nuclei: nuclei to attempt; a few may not fit.
        positive_fraction: probability that a nucleus is DAB-positive.
        touching_fraction: probability that a nucleus is placed touching the previous one.
        radius: range of the major semi-axis in pixels.
        crowded: nuclei grow in clusters of 3 to 10, each placed against a nucleus of its cluster at 75 to 95%
            of the distance at which they would just touch, so they touch and overlap slightly (up to a third
            of a nucleus lies under its neighbours, which keep those pixels: the truth stays exact).
    """
    labels = np.zeros((height, width), dtype=np.int32)
    conc = np.zeros((3, height, width), dtype=np.float32)
    conc[1] = 0.06 + 0.02 * smooth_noise(rng, (height, width), 6.0)  # faint pink background (IHC has little eosin)
    conc[0] = 0.03 + 0.015 * smooth_noise(rng, (height, width), 3.0)
    texture = 1.0 + 0.12 * smooth_noise(rng, (height, width), 1.2)
    truths: list[NucleusTruth] = []
    previous: tuple[float, float, float] | None = None
    cluster: list[tuple[float, float, float]] = []  # crowded: (row, column, radius) of the cluster's nuclei
    cluster_size = 0
    for _ in range(nuclei * 4):
        if len(truths) >= nuclei:
            break
        major = rng.uniform(*radius)
        axes = (major, major * rng.uniform(0.65, 1.0))
        if crowded:
            touch = bool(cluster) and len(cluster) < cluster_size
            if not touch:
                cluster, cluster_size = [], int(rng.integers(3, 11))
            anchor = cluster[rng.integers(len(cluster))] if touch else None
            squeeze = rng.uniform(0.75, 0.95)
        else:
            touch = previous is not None and rng.random() < touching_fraction
            anchor, squeeze = previous, 0.92
        if touch:
            direction = rng.uniform(0, 2 * np.pi)
            distance = (anchor[2] + major) * squeeze
            centre = (anchor[0] + distance * np.sin(direction), anchor[1] + distance * np.cos(direction))
        else:
            centre = (rng.uniform(major, height - major), rng.uniform(major, width - major))
        label = len(truths) + 1
        overlap = 0.35 if crowded else 0.2
        pixels = _place(rng, labels, centre, axes, rng.uniform(0, np.pi), label, touch, overlap)
        if pixels is None:
            continue
        previous = (centre[0], centre[1], major)
        cluster.append(previous)
        positive = bool(rng.random() < positive_fraction)
        dab = float(DAB_LEVELS[rng.integers(3)] + rng.uniform(-0.05, 0.05)) if positive else 0.0
        rows, cols = pixels
        conc[0, rows, cols] = (0.35 if positive else rng.uniform(0.55, 0.8)) * texture[rows, cols]
        conc[2, rows, cols] = dab * texture[rows, cols]
        conc[1, rows, cols] = 0.05
        truths.append(
            NucleusTruth(label, positive, round(dab, 4), int(rows.size), float(cols.mean()), float(rows.mean()))
        )
    conc = np.stack([cv2.GaussianBlur(c, (0, 0), 0.8) for c in conc])
    optical_density = np.tensordot(conc, STAIN_OD, axes=([0], [0]))
    rgb = 255.0 * np.power(10.0, -optical_density) + rng.normal(0, 2.5, optical_density.shape)
    return SyntheticTile(np.clip(rgb, 0, 255).astype(np.uint8), labels, tuple(truths))
