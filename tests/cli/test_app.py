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


def run_without(modules: tuple[str, ...], *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a process where `modules` cannot be imported (as if their extra were not installed)."""
    block = "".join(f"sys.modules[{m!r}] = None; " for m in modules)
    code = f"import sys; {block}from unetops.cli.app import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)


def test_a_missing_extra_is_named_with_the_install_command(tiny_dataset: Path, tmp_path: Path) -> None:
    result = run_without(("torch", "monai"), "train", str(tiny_dataset), "--out", str(tmp_path / "run"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "needs torch, which is not installed" in result.stderr and "pip install 'unetops[train]'" in result.stderr
    served = run_without(("uvicorn",), "serve", "--model", str(tmp_path))
    assert served.returncode == 1 and "pip install 'unetops[serve]'" in served.stderr


def option_help(command: str, option: str) -> tuple[object, str]:
    """The default and help text of one option of a command."""
    import typer.main

    group = typer.main.get_command(app)
    param = next(p for p in group.commands[command].params if p.name == option)
    return param.default, param.help or ""


def test_option_defaults_and_help_come_from_the_settings_models() -> None:
    from unetops.serve.settings import ServeSettings
    from unetops.spec import DatasetSpec
    from unetops.train.config import TrainConfig

    default, text = option_help("train", "epochs")
    assert default is None and text == f"Maximum epochs (default: {TrainConfig().epochs})."
    assert option_help("train", "learning_rate")[1].startswith("AdamW learning rate (default: 0.002)")
    default, text = option_help("serve", "max_concurrent")
    assert default == ServeSettings.model_fields["max_concurrent"].default
    assert text.lower().startswith(ServeSettings.model_fields["max_concurrent"].description)
    spec = runner.invoke(app, ["spec", "init"])
    assert spec.exit_code == 0 and DatasetSpec.model_validate_json(spec.output) == DatasetSpec()
