"""Expanding the image arguments of a command: files, folders and glob patterns."""

from __future__ import annotations

import glob
from pathlib import Path

from unetops.errors import UnetopsError
from unetops.imageio.read import is_image_file


def expand_inputs(inputs: list[str | Path]) -> list[Path]:
    """Image files named directly, found in folders (recursively) or matched by glob patterns, in order."""
    found: list[Path] = []
    for entry in map(str, inputs):
        path = Path(entry)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if is_image_file(p)))
        elif path.exists():
            found.append(path)
        else:
            matches = sorted(Path(p) for p in glob.glob(entry, recursive=True))
            if not matches:
                raise UnetopsError("no such file, folder or matching files", path=entry)
            found.extend(p for p in matches if is_image_file(p))
    return list(dict.fromkeys(found))
