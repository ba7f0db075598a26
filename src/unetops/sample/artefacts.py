"""Slide artefacts for the synthetic slide: a tissue fold, an air bubble under the coverslip and a pen mark.

Drawn once per slide in level-0 pixels and applied tile by tile in optical density (Beer-Lambert), so that a
fold is tissue lying twice (twice the stain), a bubble a lighter disc with a dark refracting rim, and a pen mark
a stroke of ink (green, blue or black) over whatever lies below.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

INKS = {"green": (0.9, 0.15, 0.7), "blue": (0.8, 0.45, 0.1), "black": (0.9, 0.9, 0.9)}  # OD per R, G, B


@dataclass(frozen=True)
class SlideArtefacts:
    """One slide's fold (a band), bubble (a circle) and pen stroke (a polyline), in level-0 pixels."""

    fold: np.ndarray  # (N, 2) points (x, y) of the band's centre line
    fold_width: int
    bubble: tuple[int, int, int]  # x, y, radius
    pen: np.ndarray  # (N, 2) points of the stroke
    pen_width: int
    ink: tuple[float, float, float]

    @classmethod
    def draw(cls, rng: np.random.Generator, box: tuple[int, int, int, int], mpp: float) -> SlideArtefacts:
        """Artefacts placed over the tissue's bounding `box` (x, y, width, height in level-0 px)."""
        x, y, w, h = box
        px = 1.0 / mpp

        def path(points: int) -> np.ndarray:
            """A wavy line between two points of the box."""
            ends = np.array([x, y]) + rng.uniform(0.1, 0.9, (2, 2)) * np.array([w, h])
            line = np.linspace(ends[0], ends[1], points)
            return (line + rng.normal(0, 20 * px, line.shape)).astype(np.int32)

        return cls(
            fold=path(6),
            fold_width=int(rng.uniform(15, 35) * px),
            bubble=(int(x + rng.uniform(0, w)), int(y + rng.uniform(0, h)), int(rng.uniform(60, 150) * px)),
            pen=path(8),
            pen_width=int(rng.uniform(25, 50) * px),
            ink=INKS[str(rng.choice(list(INKS)))],
        )

    def masks(self, x0: int, y0: int, size: tuple[int, int]) -> dict[str, np.ndarray]:
        """Boolean masks of the fold, bubble (inside), bubble rim and pen over the tile at (x0, y0)."""
        offset = np.array([x0, y0], np.int32)
        drawn = {name: np.zeros(size, np.uint8) for name in ("fold", "bubble", "rim", "pen")}
        cv2.polylines(drawn["fold"], [self.fold - offset], False, 1, self.fold_width)
        bx, by, radius = self.bubble
        cv2.circle(drawn["bubble"], (bx - x0, by - y0), radius, 1, -1)
        cv2.circle(drawn["rim"], (bx - x0, by - y0), radius, 1, max(2, radius // 25))
        cv2.polylines(drawn["pen"], [self.pen - offset], False, 1, self.pen_width)
        return {name: mask.astype(bool) for name, mask in drawn.items()}

    def apply(self, pixels: np.ndarray, x0: int, y0: int) -> tuple[np.ndarray, np.ndarray]:
        """The tile with the artefacts laid on it, and where any of them covers it."""
        masks = self.masks(x0, y0, pixels.shape[:2])
        od = -np.log10(np.maximum(pixels.astype(np.float32), 1) / 255)
        od[masks["fold"]] *= 2.0  # the tissue twice
        od[masks["bubble"] & ~masks["rim"]] *= 0.6  # air under the coverslip: paler, out of focus
        od[masks["rim"]] += 0.6  # the bubble's refracting edge
        od[masks["pen"]] += np.asarray(self.ink, np.float32)
        covered = masks["fold"] | masks["bubble"] | masks["rim"] | masks["pen"]
        out = pixels.copy()
        out[covered] = np.clip(255 * np.power(10.0, -od[covered]) + 0.5, 0, 255).astype(np.uint8)
        return out, covered
