"""`unetops sample`: write the synthetic IHC sample."""

from __future__ import annotations

from pathlib import Path

import typer

from unetops.cli.console import console
from unetops.sample import write_crowded_sample, write_sample
from unetops.sample.source import Look
from unetops.sample.tissue import MARKERS


def _look(look: str) -> Look:
    if look not in ("tissue", "simple"):
        raise typer.BadParameter("choose tissue or simple", param_hint="--look")
    return look  # type: ignore[return-value]


def sample(
    out: Path = typer.Argument(..., help="Folder to write source/ and truth/ into."),
    tiles: int = typer.Option(24, min=14, help="Number of tiles (14 or more plants every problem)."),
    seed: int = typer.Option(0, min=0, help="Random seed; the same seed gives the same bytes."),
    nuclei: int = typer.Option(
        None,
        min=0,
        help="Nuclei per tile (attempted) of --look simple (default 40) and --crowded (80); tissue sets its own.",
    ),
    crowded: bool = typer.Option(
        False, help="Instead: clean 256 x 256 tiles of clustered, touching nuclei with instance-label masks."
    ),
    look: str = typer.Option(
        "tissue", help="tissue (cells, stroma, lymphocytes, brown cytoplasm and membranes) or simple (round nuclei)."
    ),
) -> None:
    """Write synthetic IHC tiles (Ki-67, ER) with exact masks and truth, in a messy layout with planted problems
    (or, with --crowded, clean crowded tiles whose masks are instance labels)."""
    if crowded:
        source = write_crowded_sample(out, tiles=tiles, seed=seed, nuclei=nuclei or 80)
        console.print(f"wrote {tiles} crowded tiles to {source} (images/, masks/ with 16-bit instance labels)")
        return
    summary = write_sample(out, tiles=tiles, seed=seed, nuclei=nuclei or 40, look=_look(look))
    console.print(f"wrote {summary.tiles} tiles with {summary.nuclei} nuclei")
    console.print(f"  source: {summary.source}  ({len(summary.planted)} files carry planted problems)")
    console.print(f"  truth:  {summary.truth}  (instance labels, nuclei.csv, images.csv)")


def sample_slide(
    path: Path = typer.Argument(..., help="Slide file to write (.svs, or .ome.tif with --format ome-tiff)."),
    width: int = typer.Option(4096, min=256, help="Width in pixels (a multiple of 256)."),
    height: int = typer.Option(3072, min=256, help="Height in pixels (a multiple of 256)."),
    mpp: float = typer.Option(0.5, min=0.05, max=10, help="Micrometres per pixel recorded in the file."),
    seed: int = typer.Option(0, min=0, help="Random seed; the same seed gives the same slide."),
    fmt: str = typer.Option("svs", "--format", help="svs (Aperio-like, OpenSlide) or ome-tiff."),
    look: str = typer.Option("tissue", help="tissue (realistic IHC tissue) or simple (round nuclei)."),
    marker: str = typer.Option("ki67", help="Tissue look's marker: ki67, er, pr (nuclear) or her2 (membranes)."),
) -> None:
    """Write a synthetic pyramidal IHC slide with tissue, glass and a planted Ki-67 hot spot, and its truth."""
    from unetops.sample.slide import write_synthetic_slide

    if fmt not in ("svs", "ome-tiff"):
        raise typer.BadParameter("choose svs or ome-tiff", param_hint="--format")
    if marker not in MARKERS:
        raise typer.BadParameter(f"choose {', '.join(MARKERS)}", param_hint="--marker")
    slide = write_synthetic_slide(
        path, width=width, height=height, mpp=mpp, seed=seed, fmt=fmt, look=_look(look), marker=marker
    )
    x, y, side, _ = slide.hotspot
    console.print(f"wrote {slide.path} ({width} x {height} px at {mpp} um/px, {slide.tissue_tiles} tissue tiles)")
    console.print(f"  truth: {slide.nuclei} nuclei, Ki-67 index {slide.ki67_index:.1f}% "
                  f"({slide.tumour_nuclei} tumour nuclei: {slide.tumour_index:.1f}%); planted hot spot at "
                  f"x {x}, y {y} ({side} px square, index {slide.hotspot_index:.1f}%)")  # fmt: skip
    if slide.marker == "her2":
        console.print(
            f"  HER2: each cell's membrane score (0-3) is in {slide.truth_nuclei.name}, column membrane_score"
        )
    console.print(f"  truth files: {slide.truth_mask.name} (mask), {slide.truth_nuclei.name} (nuclei)")
