"""Membrane staining per cell (HER2): the ring of DAB around each nucleus, its intensity and completeness, and
the cell's and the image's 0 / 1+ / 2+ / 3+ by the ASCO/CAP rules.

A cell is its nucleus grown by `cell_radius_um` (never into a neighbour's, as `expand_labels` parts them); its
membrane is searched in angular sectors around the nucleus, each sector's membrane DAB being its strongest DAB
ridge (the lightly smoothed DAB above a morphological opening wider than a membrane, a white top-hat): wherever
the membrane lies it is found, and brown cytoplasm, even one cell browner than the next, is no membrane.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy import ndimage
from skimage.segmentation import expand_labels

from unetops.quantify.config import ASSUMED_PIXEL_SIZE, QuantifyConfig

SECTORS = 16  # angular sectors around a nucleus in which the membrane is looked for
SCORE_NAMES = ("0", "1+", "2+", "3+")
CELLS_NEEDED = 10.0  # ASCO/CAP: a score holds when more than 10% of the tumour cells reach it


def cell_scores(intensity: np.ndarray, completeness: np.ndarray, config: QuantifyConfig) -> np.ndarray:
    """0-3 per cell: 3+ complete and intense, 2+ complete and weak to moderate (or intense but incomplete),
    1+ faint or incomplete, 0 none (ASCO/CAP 2018 cell patterns)."""
    faint, intense = config.membrane_cutoffs
    complete = completeness >= config.membrane_complete
    stained = (completeness >= config.membrane_partial) & (intensity > faint)
    return np.select(
        [stained & complete & (intensity >= intense), stained & (complete | (intensity >= intense)), stained],
        [3, 2, 1],
        0,
    ).astype(np.int8)


def membrane_stains(
    labels: np.ndarray, dab: np.ndarray, config: QuantifyConfig, pixel_size: float | None
) -> dict[str, np.ndarray]:
    """Per label 1..N: `membrane_od` (mean DAB ridge of the stained sectors, above the cytoplasm),
    `membrane_completeness` (fraction of the ring's sectors stained) and `membrane_score` (0-3).

    Args:
        labels: nucleus instance labels.
        dab: the image's DAB optical density (same shape).
        config: the cell radius and cut-offs.
        pixel_size: micrometres per pixel (None: `ASSUMED_PIXEL_SIZE`).
    """
    count = int(labels.max())
    cells = expand_labels(labels, config.um_pixels(config.cell_radius_um, pixel_size))
    # the cell less its nucleus and a 1 um halo (the nucleus's own DAB, blurred, is not membrane)
    nuclear = ndimage.distance_transform_edt(labels == 0) <= config.um_pixels(1.0, pixel_size)
    territory = (cells > 0) & ~nuclear
    rows, cols = np.nonzero(territory)
    owner = cells[rows, cols]
    px = pixel_size or ASSUMED_PIXEL_SIZE
    # a membrane is a ridge: DAB above what an opening wider than a membrane leaves (cytoplasm, even if brown)
    size = 2 * config.um_pixels(config.membrane_max_width_um / 2, pixel_size) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    smooth = ndimage.gaussian_filter(dab.astype(np.float32), 0.5 / px)
    # nuclei (and halo) count as brown for the opening: cytoplasm squeezed between nuclei is no ridge
    ridge = smooth - cv2.morphologyEx(np.where(nuclear, smooth.max(), smooth), cv2.MORPH_OPEN, kernel)
    centres = np.asarray(ndimage.center_of_mass(np.ones_like(dab), labels, np.arange(1, count + 1))).reshape(-1, 2)
    angle = np.arctan2(rows - centres[owner - 1, 0], cols - centres[owner - 1, 1])
    sector = ((angle + np.pi) / (2 * np.pi) * SECTORS).astype(int) % SECTORS
    peak = np.full((count + 1, SECTORS), np.nan)  # each sector's strongest ridge (NaN: no pixel of the cell there)
    np.fmax.at(peak, (owner, sector), ridge[rows, cols])
    peak = peak[1:]
    present = ~np.isnan(peak)
    stained = np.where(present, peak, -np.inf) > config.membrane_cutoffs[0]
    completeness = stained.sum(1) / np.maximum(present.sum(1), 1)
    intensity = np.where(stained, peak, 0).sum(1) / np.maximum(stained.sum(1), 1)
    return {
        "membrane_od": intensity,
        "membrane_completeness": completeness,
        "membrane_score": cell_scores(intensity, completeness, config),
    }


def her2_score(scores: np.ndarray) -> dict[str, object]:
    """The image's HER2 IHC score from its cells' scores (ASCO/CAP 2018): 3+ when more than 10% of cells are
    3+, 2+ when more than 10% are 2+ or 3+, 1+ when more than 10% are 1+ or above, else 0; with the
    distribution in percent of cells and the membrane H-score."""
    scores = np.asarray(scores)
    percent = [100.0 * float((scores == s).mean()) if scores.size else 0.0 for s in range(4)]
    at_least = np.cumsum(percent[::-1])[::-1]  # percent of cells scoring s or more
    overall = next((s for s in (3, 2, 1) if at_least[s] > CELLS_NEEDED), 0)
    return {
        "her2_score": SCORE_NAMES[overall],
        "membrane_percent_0": percent[0],
        "membrane_percent_1plus": percent[1],
        "membrane_percent_2plus": percent[2],
        "membrane_percent_3plus": percent[3],
        "h_score": percent[1] + 2 * percent[2] + 3 * percent[3],  # the membrane H-score
    }
