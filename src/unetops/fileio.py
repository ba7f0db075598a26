"""Atomic writes and hashing: a file or folder is either complete or absent."""

from __future__ import annotations

import contextlib
import fcntl
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

from unetops.errors import OutputError

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


def remove_temporaries(folder: Path) -> list[Path]:
    """Delete the temporary files `atomic_write_bytes` leaves when killed mid-write; returns them."""
    stale = sorted(folder.glob(f".*{TEMPORARY_SUFFIX}")) if folder.is_dir() else []
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


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
def output_lock(final: Path) -> Iterator[None]:
    """Hold an exclusive lock on writing `final` (`.<name>.lock` beside it, removed at the end); a second
    writer fails at once.

    Raises:
        OutputError: another process holds the lock, or the folder beside `final` cannot be written.
    """
    lock_path = final.parent / f".{final.name}.lock"
    while True:
        try:
            handle = lock_path.open("a")
        except OSError as exc:
            raise OutputError(
                f"cannot write in this folder: {exc.strerror}",
                path=final.parent,
                fix="choose an output you can write to",
            ) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise OutputError(
                "another process is writing this output", path=final, fix="wait for it to end, or choose another output"
            ) from None
        with contextlib.suppress(FileNotFoundError):
            if os.stat(lock_path).st_ino == os.fstat(handle.fileno()).st_ino:
                break  # locked the file that is still there (not one its last holder just removed)
        handle.close()
    try:
        yield
    finally:
        lock_path.unlink(missing_ok=True)
        handle.close()


@contextlib.contextmanager
def atomic_directory(final: Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a hidden staging folder beside `final`; rename it to `final` only if the block succeeds.

    One writer at a time (`output_lock`). A run killed inside the block leaves `final` untouched (absent, or
    the previous version); staging folders left by killed runs are removed on the next call. Every failure
    of the folder operations is an `OutputError` naming the folder, and leaves no staging folder behind.
    """
    final = final.resolve()
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output's folder: {exc.strerror}", path=final.parent) from None
    with output_lock(final):
        for stale in final.parent.glob(f".{final.name}.staging-*"):
            shutil.rmtree(stale, ignore_errors=True)
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.staging-", dir=final.parent))
            os.chmod(staging, 0o777 & ~current_umask())  # mkdtemp makes it private; the output is not
        except OSError as exc:
            raise OutputError(f"cannot write in this folder: {exc.strerror}", path=final.parent) from None
        try:
            yield staging
            _put_in_place(staging, final, overwrite)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _put_in_place(staging: Path, final: Path, overwrite: bool) -> None:
    """Rename `staging` to `final`, replacing an existing `final` only when `overwrite`."""
    if final.exists() and not overwrite:
        raise OutputError("output exists", path=final, fix="choose another output, or overwrite it")
    retired = final.with_name(f".{final.name}.staging-retired")
    try:
        if final.exists():
            os.replace(final, retired)
        os.replace(staging, final)
    except OSError as exc:
        if retired.exists() and not final.exists():
            os.replace(retired, final)  # put the previous version back
        raise OutputError(f"cannot put the output in place: {exc.strerror}", path=final) from None
    shutil.rmtree(retired, ignore_errors=True)


CACHE_ENV = "UNETOPS_CACHE_DIR"  # what unetops keeps between runs on this machine


def cache_dir(*parts: str) -> Path:
    """A folder of unetops' cache on this machine: `UNETOPS_CACHE_DIR`, else `$XDG_CACHE_HOME/unetops`
    (`~/.cache/unetops`), joined with `parts` (`models`: registry downloads; `slides`: unfinished slides whose
    results go to object storage)."""
    root = os.environ.get(CACHE_ENV) or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "unetops"
    return Path(root).joinpath(*parts)
