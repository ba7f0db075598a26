"""The layer contract (pyproject's [tool.importlinter]): entry points > stages > model > tracking > core."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import unetops

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(package_parent: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    command = [str(LINT), "--config", str(ROOT / "pyproject.toml"), "--no-cache"]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=package_parent, timeout=300)


def test_the_package_keeps_its_layers() -> None:
    result = lint(Path(unetops.__file__).parents[1])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "statement", "broken"),
    [
        ("imageio/read.py", "import unetops.train.config", "unetops.imageio is not allowed to import unetops.train"),
        ("quantify/run.py", "import unetops.inference.predict", "unetops.quantify is not allowed to import"),
        ("model/tiled.py", "from unetops.dataset import convert", "unetops.model is not allowed to import"),
    ],
)
def test_an_upward_or_sideways_import_breaks_the_contract(
    tmp_path: Path, module: str, statement: str, broken: str
) -> None:
    copy = tmp_path / "unetops"
    shutil.copytree(Path(unetops.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / module).open("a") as handle:
        handle.write(f"\n{statement}\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert broken in result.stdout
