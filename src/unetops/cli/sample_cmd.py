"""`unetops sample`: write the synthetic IHC sample."""

from __future__ import annotations

from pathlib import Path

import typer

from unetops.cli.console import console
from unetops.sample import write_sample


def sample(
    out: Path = typer.Argument(..., help="Folder to write source/ and truth/ into."),
    tiles: int = typer.Option(24, min=14, help="Number of tiles (14 or more plants every problem)."),
    seed: int = typer.Option(0, min=0, help="Random seed; the same seed gives the same bytes."),
    nuclei: int = typer.Option(40, min=0, help="Nuclei per tile (attempted)."),
) -> None:
    """Write synthetic IHC tiles (Ki-67, ER) with exact masks and truth, in a messy layout with planted problems."""
    summary = write_sample(out, tiles=tiles, seed=seed, nuclei=nuclei)
    console.print(f"wrote {summary.tiles} tiles with {summary.nuclei} nuclei")
    console.print(f"  source: {summary.source}  ({len(summary.planted)} files carry planted problems)")
    console.print(f"  truth:  {summary.truth}  (instance labels, nuclei.csv, images.csv)")
