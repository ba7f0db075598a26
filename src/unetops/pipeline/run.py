"""Run a dvc.yaml pipeline's stages in order without DVC (each stage's declared outputs are replaced)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from unetops.errors import UnetopsError

PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_.]+)\}")


class PipelineError(UnetopsError):
    """A pipeline file is invalid or one of its stages failed."""


def _lookup(params: dict[str, Any], dotted: str, path: Path) -> str:
    value: Any = params
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise PipelineError(f"${{{dotted}}} is not in params.yaml", path=path)
        value = value[part]
    return str(value)


def load_stages(project: Path) -> dict[str, dict[str, Any]]:
    """The stages of `project/dvc.yaml`, with `${...}` filled from `project/params.yaml` as DVC does."""
    dvc_file, params_file = project / "dvc.yaml", project / "params.yaml"
    try:
        stages = yaml.safe_load(dvc_file.read_text(encoding="utf-8"))["stages"]
        params = yaml.safe_load(params_file.read_text(encoding="utf-8")) if params_file.exists() else {}
    except FileNotFoundError:
        raise PipelineError("no dvc.yaml", path=project, fix="create a project with `unetops init`") from None
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise PipelineError(f"invalid pipeline file: {exc}", path=dvc_file) from None
    for stage in stages.values():
        stage["cmd"] = PLACEHOLDER.sub(lambda m: _lookup(params or {}, m[1], params_file), stage["cmd"])
    return stages


def _outputs(stage: dict[str, Any]) -> list[str]:
    return [next(iter(o)) if isinstance(o, dict) else o for o in stage.get("outs", [])]


def run_pipeline(project: Path, *, stages: list[str] | None = None, echo: Callable[[str], None] = print) -> list[str]:
    """Run the project's stages (all, or the named ones) in file order; returns the stages run.

    `unetops` in a command is run with this interpreter (`python -m unetops`), so the pipeline works
    without the virtual environment on PATH.
    """
    defined = load_stages(project)
    unknown = sorted(set(stages or []) - set(defined))
    if unknown:
        raise PipelineError(
            f"unknown stages {', '.join(unknown)}; stages: {', '.join(defined)}", path=project / "dvc.yaml"
        )
    selected = [name for name in defined if not stages or name in stages]
    for name in selected:
        stage = defined[name]
        for output in _outputs(stage):
            target = project / output
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
        argv = shlex.split(stage["cmd"])
        if argv[0] == "unetops":
            argv = [sys.executable, "-m", "unetops", *argv[1:]]
        echo(f"stage {name}: {stage['cmd']}")
        if subprocess.run(argv, cwd=project).returncode != 0:
            raise PipelineError(f"stage {name!r} failed: {stage['cmd']}", path=project / "dvc.yaml")
    return selected
