"""Atomic writes and hashing: a file or folder is either complete or absent."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TEMPORARY_SUFFIX = ".tmp"
UNSAFE_IN_NAMES = re.compile(r"[^\w.+-]+")


def safe_name(text: str, *, fallback: str = "unnamed", max_length: int = 120) -> str:
    """The one rule for every name unetops writes: runs of anything but letters, digits, `.`, `_`, `+` and `-`
    (spaces, newlines, tabs, slashes, colons, ...) become `_`; no leading dot; at most `max_length` characters."""
    cleaned = UNSAFE_IN_NAMES.sub("_", unicodedata.normalize("NFC", text)).lstrip(".")[:max_length]
    return cleaned or fallback


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of a byte string."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def current_umask() -> int:
    """The process's umask (read from /proc where possible: setting it to read it is not thread-safe)."""
    with contextlib.suppress(OSError, ValueError, StopIteration):
        status = Path("/proc/self/status").read_text().splitlines()
        return int(next(line for line in status if line.startswith("Umask:")).split()[1], 8)
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it into place.

    The file gets the usual permissions (0666 less the umask, as `open` gives), not the private 0600 of a
    temporary file: a model written here must be readable by the service's own user.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX, dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Atomic UTF-8 text write."""
    atomic_write_bytes(path, text.encode("utf-8"))


def dump_json(data: Any) -> str:
    """Stable JSON text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def atomic_write_json(path: Path, data: Any) -> None:
    """Atomic write of `data` as stable JSON."""
    atomic_write_text(path, dump_json(data))


@contextlib.contextmanager
def atomic_directory(final: Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a hidden staging folder beside `final`; rename it to `final` only if the block succeeds.

    A run killed inside the block leaves `final` untouched (absent, or the previous version).
    Staging folders left by killed runs are removed on the next call.
    """
    final = final.resolve()
    final.parent.mkdir(parents=True, exist_ok=True)
    for stale in final.parent.glob(f".{final.name}.staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.staging-", dir=final.parent))
    os.chmod(staging, 0o777 & ~current_umask())  # mkdtemp makes it private; the dataset is not
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if final.exists():
        if not overwrite:
            shutil.rmtree(staging, ignore_errors=True)
            raise FileExistsError(final)
        retired = final.with_name(f".{final.name}.staging-retired")
        os.replace(final, retired)
        os.replace(staging, final)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staging, final)
