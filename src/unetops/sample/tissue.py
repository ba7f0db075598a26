"""One synthetic IHC tile that looks like tissue: tumour nests of cells (nucleus, cytoplasm, membrane), glands
(a lumen ringed by columnar cells with elongated, palisading nuclei), stroma with elongated pale or dark nuclei,
lymphocytes, lumen, fat and glass, stained per marker with nuclear, membranous, cytoplasmic and background DAB,
under one slide's stain, blur, JPEG and illumination draw.

Sizes are in micrometres and drawn at the output's pixel size. Pixels follow the Beer-Lambert model of
`synthetic_ihc` (RGB = 255 * 10^-(C @ stain vectors)); the truth is exact: instance labels, each nucleus's class
and whether its nucleus carries DAB, and the compartment of every pixel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
from scipy import ndimage
from skimage.draw import disk, ellipse
from skimage.segmentation import find_boundaries

from unetops.sample.synthetic_ihc import STAIN_OD, NucleusTruth, SyntheticTile, smooth_noise

Marker = Literal["ki67", "er", "pr", "her2"]
MARKERS: dict[str, str] = {"ki67": "nuclear", "er": "nuclear", "pr": "nuclear", "her2": "membrane"}
CLASSES = ("tumour", "stroma", "lymphocyte")
# compartment codes of `TissueTile.compartments`
BACKGROUND, NUCLEUS, CYTOPLASM, MEMBRANE = 0, 1, 2, 3
HER2_MEMBRANE_OD = (0.0, 0.18, 0.4, 0.75)  # ring DAB of 0, 1+, 2+, 3+ cells


@dataclass(frozen=True)
class StainDraw:
    """One slide's staining and scanning: stain vectors, strengths, blur, JPEG quality, illumination."""

    vectors: np.ndarray  # rows hematoxylin, eosin (residual), DAB; unit length
    counterstain: float
    dab: float
    blur: float  # sigma of the scanner's blur, in pixels
    jpeg_quality: int
    illumination: float  # amplitude of uneven illumination

    @classmethod
    def draw(cls, rng: np.random.Generator, spread: float = 1.0) -> StainDraw:
        """A lab's and scanner's draw: stain vectors turned a little, strengths within a factor of about 1.5;
        `spread` widens the ranges (2: labs and scanners further apart than the sample's)."""
        vectors = np.clip(STAIN_OD + rng.normal(0, 0.06 * spread, STAIN_OD.shape), 0.02, None)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return cls(
            vectors,
            counterstain=float(1 + rng.uniform(-0.3, 0.3) * spread),
            dab=float(1.025 + rng.uniform(-0.225, 0.225) * spread),
            blur=float(rng.uniform(0.3, 0.3 + 0.8 * spread)),
            jpeg_quality=int(rng.integers(max(40, 100 - round(30 * spread)), 96)),
            illumination=float(rng.uniform(0.0, 0.1 * spread)),
        )


@dataclass(frozen=True)
class TissueTile(SyntheticTile):
    """A `SyntheticTile` with the compartment of each pixel (`NUCLEUS`, `CYTOPLASM`, `MEMBRANE`, else 0) and where
    glands' columnar epithelium lies (True; the rest of the tumour is nests)."""

    compartments: np.ndarray | None = None
    glands: np.ndarray | None = None
    marker: str = "ki67"


def _regions(rng: np.random.Generator, shape: tuple[int, int], px: float) -> dict[str, np.ndarray]:
    """Boolean maps of tumour nests, lumen, fat and glass; stroma is the rest."""
    noise = smooth_noise(rng, shape, 22 * px)
    nest = noise > np.quantile(noise, 1 - rng.uniform(0.3, 0.75))
    lumen, fat, glass = (np.zeros(shape, bool) for _ in range(3))
    for _ in range(int(rng.integers(0, 3))):  # a gland lumen inside a nest
        cy, cx = rng.uniform(0, shape[0]), rng.uniform(0, shape[1])
        if nest[int(cy), int(cx)]:
            r = rng.uniform(6, 18) * px
            lumen[ellipse(cy, cx, r, r * rng.uniform(0.5, 1), shape=shape, rotation=rng.uniform(0, np.pi))] = True
    for _ in range(int(rng.integers(0, 4))):  # adipocytes in the stroma
        cy, cx, r = rng.uniform(0, shape[0]), rng.uniform(0, shape[1]), rng.uniform(18, 40) * px
        if not nest[int(cy), int(cx)]:
            fat[disk((cy, cx), r, shape=shape)] = True
    if rng.random() < 0.25:  # the tissue's edge: glass beyond a wavy line
        yy, xx = np.mgrid[: shape[0], : shape[1]]
        edge = rng.uniform(0.55, 0.85) * shape[1] + 6 * px * smooth_noise(rng, shape, 30 * px)
        glass = xx > edge if rng.random() < 0.5 else yy > edge * shape[0] / shape[1]
    fat &= ~nest
    nest &= ~lumen & ~glass
    return {"nest": nest, "lumen": lumen & ~glass, "fat": fat & ~glass, "glass": glass}


def _cells(rng: np.random.Generator, nest: np.ndarray, px: float) -> tuple[np.ndarray, np.ndarray]:
    """Tumour cell centres on a jittered grid 14-21 um apart (2,300-5,100 per mm2 of nest, fewer where nuclei do
    not fit) and each nest pixel's nearest cell (1..N)."""
    spacing = rng.uniform(14, 21) * px
    rows, cols = np.mgrid[spacing / 2 : nest.shape[0] : spacing, spacing / 2 : nest.shape[1] : spacing]
    centres = np.stack([rows.ravel(), cols.ravel()], 1) + rng.uniform(-0.3, 0.3, (rows.size, 2)) * spacing
    centres = np.clip(centres, 0, np.array(nest.shape) - 1)
    centres = centres[nest[centres[:, 0].astype(int), centres[:, 1].astype(int)]]
    seeds = np.zeros(nest.shape, np.int32)
    seeds[centres[:, 0].astype(int), centres[:, 1].astype(int)] = np.arange(1, len(centres) + 1)
    _, (nearest_r, nearest_c) = ndimage.distance_transform_edt(seeds == 0, return_indices=True)
    cells = np.where(nest, seeds[nearest_r, nearest_c], 0)
    return centres, cells


@dataclass(frozen=True)
class Glands:
    """Glands: lumens ringed by columnar epithelium. `cells` labels each cell (1..N, a sector of its ring) and
    `nuclei` gives each cell's nucleus as (centre row, centre col, half length, half width, rotation)."""

    cells: np.ndarray
    lumen: np.ndarray
    nuclei: np.ndarray


def _glands(rng: np.random.Generator, shape: tuple[int, int], px: float) -> Glands:
    """Up to three glands in 60% of the tiles: an oval or slit-like lumen of 6-30 um radius, an epithelium 20-50 um
    tall of cells 5-8 um wide side by side (in two layers where it is over 30 um), each with an elongated nucleus
    8-16 um long pointing at the lumen (colon, endometrium, breast tubules: the crowded, palisading, often pale
    nuclei in brown cytoplasm that a model trained on round ones misses)."""
    cells, lumen, nuclei = np.zeros(shape, np.int32), np.zeros(shape, bool), []
    rows, cols = np.mgrid[: shape[0], : shape[1]]
    for _ in range(int(rng.integers(1, 4)) if rng.random() < 0.6 else 0):
        cy, cx = rng.uniform(0, shape[0]), rng.uniform(0, shape[1])
        turn, stretch = rng.uniform(0, np.pi), rng.uniform(1, 2.5)
        inner, height, width = rng.uniform(6, 30) * px, rng.uniform(20, 50) * px, rng.uniform(5, 8) * px
        # coordinates along the gland's long axis (u, shrunk by its stretch) and across it (v)
        u = ((rows - cy) * np.cos(turn) + (cols - cx) * np.sin(turn)) / stretch
        v = -(rows - cy) * np.sin(turn) + (cols - cx) * np.cos(turn)
        radius, theta = np.hypot(u, v), np.arctan2(u, v)
        count = max(8, int(2 * np.pi * (inner + 0.5 * height) * np.sqrt((stretch**2 + 1) / 2) / width))
        layers = 1 if height < 30 * px else 2  # tall epithelium: nuclei at two depths (pseudostratified)
        ring = (radius >= inner) & (radius < inner + height) & (cells == 0) & ~lumen
        sector = ((theta[ring] + np.pi) / (2 * np.pi) * count).astype(int) % count
        depth = np.minimum(((radius[ring] - inner) / height * layers).astype(int), layers - 1)
        first = int(cells.max())
        cells[ring] = first + 1 + sector + count * depth
        lumen |= (radius < inner) & (cells == 0)
        # the outer layer's nuclei sit at its cells' middles, the inner one's off to one side: staggered
        offsets = np.repeat(np.where(np.arange(layers) == layers - 1, 0.5, 0.25), count)
        angles = (np.tile(np.arange(count), layers) + offsets) / count * 2 * np.pi - np.pi
        at = inner + height * (np.repeat(np.arange(layers), count) + rng.uniform(0.3, 0.7, count * layers)) / layers
        for angle, distance in zip(angles, at, strict=True):
            along, across = stretch * distance * np.sin(angle), distance * np.cos(angle)
            down = along * np.cos(turn) - across * np.sin(turn)
            right = along * np.sin(turn) + across * np.cos(turn)
            half_width = min(rng.uniform(1.8, 2.6) * px, 0.9 * np.pi * distance / count)  # fits the cell
            # skimage's rotation turns the row axis; pi/2 - direction puts the long axis along the radius
            nuclei.append((cy + down, cx + right, rng.uniform(4, 8) * px, half_width,
                           np.pi / 2 - np.arctan2(down, right)))  # fmt: skip
    return Glands(cells, lumen, np.asarray(nuclei, float).reshape(-1, 5))


def tissue_tile(
    rng: np.random.Generator,
    *,
    height: int = 256,
    width: int = 256,
    mpp: float = 0.5,
    marker: Marker = "ki67",
    positive_fraction: float = 0.3,
    stain: StainDraw | None = None,
) -> TissueTile:
    """Draw one tile of IHC tissue.

    Args:
        rng: the random generator (the tile is a pure function of its state and the arguments).
        height, width: tile size in pixels.
        mpp: micrometres per pixel: nuclei are 7-15 um (tumour), 5-7 um (lymphocytes) across at any pixel size.
        marker: nuclear DAB for ki67, er and pr; membranous DAB for her2 (no nucleus is positive then).
        positive_fraction: probability that a tumour nucleus carries nuclear DAB (a tenth of it for the others).
        stain: the slide's stain draw; None draws one.
    """
    stain = stain or StainDraw.draw(rng)
    px = 1.0 / mpp
    shape = (height, width)
    regions = _regions(rng, shape, px)
    glands = _glands(rng, shape, px)
    epithelium = (glands.cells > 0) & ~regions["glass"]
    for name in ("nest", "fat", "lumen"):
        regions[name] &= ~epithelium & ~glands.lumen
    regions["lumen"] |= glands.lumen & ~regions["glass"]
    stroma = ~regions["nest"] & ~epithelium & ~regions["lumen"] & ~regions["fat"] & ~regions["glass"]
    centres, cells = _cells(rng, regions["nest"], px)
    nest_cells = len(centres)
    cells = np.where(epithelium, glands.cells + nest_cells, cells)
    centres = np.concatenate([centres, glands.nuclei[:, :2]])
    pixel = tuple(np.clip(centres.astype(int), 0, np.array(shape) - 1).T)  # a gland's nucleus may lie beyond
    # membranes of neighbouring cells together about 2 um wide
    membrane = ndimage.binary_dilation(find_boundaries(cells, mode="inner"), iterations=max(1, round(0.5 * px)))
    membrane &= cells > 0
    labels = np.zeros(shape, np.int32)
    conc = np.zeros((3, *shape), np.float32)  # hematoxylin, eosin, DAB
    chromatin = 1.0 + 0.25 * smooth_noise(rng, shape, 0.6 * px)
    fibres = np.clip(1 + 0.6 * smooth_noise(rng, shape, 1.5 * px), 0.2, None)  # pale collagen, no eosin in IHC
    conc[0] = np.where(stroma, 0.05 * fibres, 0.0) + np.where(cells > 0, 0.09, 0.0)
    conc[1] = np.where(stroma, 0.015 * fibres, 0.0) + np.where(cells > 0, 0.02, 0)
    conc[1][regions["fat"] & find_boundaries(ndimage.label(regions["fat"])[0])] = 0.15
    # every marker: cytoplasmic and background DAB of this tile's strength; rings (non-specific, or HER2's)
    cytoplasmic = rng.uniform(0, 0.8) if rng.random() < 0.75 else 0.0
    cell_dab = rng.uniform(0.3, 1.2, len(centres) + 1) * cytoplasmic
    # cytoplasmic stain is granular and patchy, densest at the glands' apical (luminal) edge: brown spots the
    # size of a small nucleus that are not one
    granular = np.clip(1 + rng.uniform(0.2, 0.7) * smooth_noise(rng, shape, rng.uniform(1, 2.5) * px), 0.1, None)
    apical = epithelium & (ndimage.distance_transform_edt(~glands.lumen) < rng.uniform(3, 8) * px)
    conc[2] = np.where(cells > 0, cell_dab[cells] * granular * np.where(apical, rng.uniform(1.2, 2.0), 1.0), 0.0)
    conc[2] += np.where(stroma, rng.uniform(0, 0.08) * np.clip(1 + smooth_noise(rng, shape, 8 * px), 0, None), 0)
    if MARKERS[marker] == "membrane":
        # scores in patches, as HER2 is expressed (heterogeneity is regional): a smooth field cut at drawn shares
        field = smooth_noise(rng, shape, 15 * px)[pixel]
        shares = np.cumsum(rng.dirichlet(np.ones(4)))[:3]
        ranks = np.argsort(np.argsort(field)) / max(len(field), 1)
        score = np.concatenate([[0], np.searchsorted(shares, ranks, side="right")])
        ring = np.asarray(HER2_MEMBRANE_OD)[score]
        # as ASCO/CAP defines the cell scores: 2+ and 3+ rings complete, 1+ rings faint and incomplete
        complete = np.where(
            score >= 2, rng.uniform(0.92, 1.0, len(centres) + 1), rng.uniform(0.2, 0.55, len(centres) + 1)
        )
        broken = smooth_noise(rng, shape, 2 * px) > ndimage.gaussian_filter(complete[cells], 1) * 3 - 1.5
        conc[2] = np.where(membrane & ~broken, conc[2] + ring[cells], conc[2])  # on top of the cytoplasm
    else:
        ring, score = rng.uniform(0, 0.8) * rng.uniform(0.5, 1.0, len(centres) + 1), None
        conc[2] = np.where(membrane, np.maximum(conc[2], ring[cells]), conc[2])
    if regions["glass"].any():  # edge artefact: DAB along the cut edge
        edge = ndimage.distance_transform_edt(~regions["glass"])
        conc[2] += np.where(~regions["glass"], 0.3 * np.exp(-edge / (8 * px)), 0) * (rng.random() < 0.6)
    truths: list[NucleusTruth] = []

    def add(centre, axes, angle, cell_class, h_range, positive_rate, membrane_score=None):
        rows, cols = ellipse(centre[0], centre[1], axes[0], axes[1], shape=shape, rotation=angle)
        free = labels[rows, cols] == 0
        if free.sum() < 0.6 * max(rows.size, 1) or free.sum() < 4 * px:
            return
        rows, cols = rows[free], cols[free]
        label = len(truths) + 1
        labels[rows, cols] = label
        positive = bool(rng.random() < positive_rate)
        around = conc[2, rows, cols]
        # a positive nucleus is darker than the brown cytoplasm around it, as pathologists see it
        dab = float(rng.uniform(0.3, 0.9) + 0.5 * around.mean()) if positive else 0.0
        overlying = rng.uniform(0.3, 0.8) * around  # the cytoplasm above and below the nucleus
        conc[0, rows, cols] = (rng.uniform(*h_range) * (0.45 if positive else 1.0)) * chromatin[rows, cols]
        conc[2, rows, cols] = dab * chromatin[rows, cols] + overlying
        conc[1, rows, cols] = 0.02
        truths.append(
            NucleusTruth(
                label,
                positive,
                round(dab, 4),
                int(rows.size),
                float(cols.mean()),
                float(rows.mean()),
                cell_class,
                membrane_score,
            )
        )

    nuclear = MARKERS[marker] == "nuclear"
    for index, centre in enumerate(centres, start=1):
        if index <= nest_cells:
            major = rng.uniform(3.5, 7.5) * px
            axes, angle = (major, major * rng.uniform(0.7, 1.0)), rng.uniform(0, np.pi)
            centre = centre + rng.normal(0, 1.0 * px, 2)
        elif regions["glass"][pixel[0][index - 1], pixel[1][index - 1]]:
            continue
        else:  # a columnar cell of a gland
            axes, angle = tuple(glands.nuclei[index - nest_cells - 1, 2:4]), glands.nuclei[index - nest_cells - 1, 4]
        # gland nuclei are paler than a nest's: real colon glands show pale blue nuclei in brown cytoplasm
        hematoxylin = (0.4, 0.8) if index <= nest_cells else (0.2, 0.6)
        add(centre, axes, angle, "tumour", hematoxylin, positive_fraction if nuclear else 0.0,
            None if score is None else int(score[index]))  # fmt: skip
    stroma_mm2 = stroma.sum() * (mpp / 1000) ** 2
    orientation = np.pi * smooth_noise(rng, shape, 40 * px)
    where = np.argwhere(stroma)
    if len(where):
        for r, c in where[rng.integers(len(where), size=rng.poisson(stroma_mm2 * rng.uniform(400, 1200)))]:
            major = rng.uniform(5, 9) * px
            axes = (major, major * rng.uniform(0.22, 0.4))
            add((r, c), axes, orientation[r, c] + rng.normal(0, 0.2), "stroma", (0.25, 0.8),
                0.1 * positive_fraction if nuclear else 0.0)  # fmt: skip
        spots = where[rng.integers(len(where), size=rng.poisson(stroma_mm2 * rng.uniform(200, 2500)))]
        clustered = rng.random(len(spots)) < 0.5
        if len(spots):  # half of them in one aggregate
            spots = np.where(clustered[:, None], spots[0] + rng.normal(0, 12 * px, spots.shape), spots)
        for r, c in spots:
            radius = rng.uniform(2.5, 3.5) * px
            add((r, c), (radius, radius * rng.uniform(0.85, 1.0)), 0.0, "lymphocyte", (0.9, 1.3),
                0.1 * positive_fraction if nuclear else 0.0)  # fmt: skip
    compartments = np.select([labels > 0, membrane, cells > 0], [NUCLEUS, MEMBRANE, CYTOPLASM], BACKGROUND)
    conc[0] *= stain.counterstain
    conc[2] *= stain.dab
    conc = np.stack([cv2.GaussianBlur(c, (0, 0), 0.6) for c in conc])
    optical_density = np.tensordot(conc, stain.vectors, axes=([0], [0]))
    light = 1.0 - stain.illumination * (0.5 + 0.5 * smooth_noise(rng, shape, max(shape) / 3))
    rgb = 250.0 * light[..., None] * np.power(10.0, -optical_density) + rng.normal(0, 2.0, optical_density.shape)
    rgb = cv2.GaussianBlur(np.clip(rgb, 0, 255).astype(np.uint8), (0, 0), stain.blur)
    encoded = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, stain.jpeg_quality])[1]
    image = np.ascontiguousarray(cv2.imdecode(encoded, cv2.IMREAD_COLOR)[..., ::-1])
    return TissueTile(image, labels, tuple(truths), compartments.astype(np.uint8), epithelium, marker)
