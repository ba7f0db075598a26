from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from unetops import __version__
from unetops.cli.app import app

runner = CliRunner()


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    code = "from unetops.cli.app import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"unetops {__version__}"


def test_errors_print_file_problem_and_fix_without_traceback(tmp_path: Path) -> None:
    result = run_cli("spec", "validate", str(tmp_path / "missing.json"))
    assert result.returncode == 2
    assert "error:" in result.stderr and "missing.json: spec file not found" in result.stderr
    assert "fix: create one with `unetops spec init`" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = run_cli("--debug", "spec", "validate", str(tmp_path / "missing.json"))
    assert result.returncode != 0 and "Traceback" in result.stderr and "SpecError" in result.stderr


def test_usage_error_exit_code() -> None:
    assert run_cli("dataset", "build").returncode == 2


def test_the_cli_starts_without_the_training_stack() -> None:
    """Dataset commands must not need torch, MONAI, MLflow or ONNX Runtime: they load only when used."""
    code = (
        "import sys, unetops.cli.app; "
        "print(sorted(m for m in ('torch', 'monai', 'mlflow', 'onnxruntime', 'lightning_fabric', 'matplotlib') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
