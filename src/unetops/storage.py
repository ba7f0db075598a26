"""Output locations of batches: a local (or shared) folder, or object storage (`s3://bucket/prefix`) through fsspec.

Everything unetops writes is written to a local folder first; for object storage that folder is a temporary
one whose files are uploaded when it is complete (each upload is a whole object: a reader never sees half a
file), a chosen file last, as the mark that the rest is there.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from unetops.errors import OutputError

Location = str | Path  # a local folder, or a URL such as s3://bucket/prefix


def location(text: str | Path) -> Location:
    """A command-line output: a URL stays a string (a Path would fold its `//`), anything else is a Path."""
    return str(text) if is_remote(text) else Path(text)


def is_remote(where: Location) -> bool:
    """Whether `where` is a URL of object storage (not a local path, nor `file://`)."""
    scheme, separator, _ = str(where).partition("://")
    return bool(separator) and scheme not in ("", "file", "local")


def join(where: Location, *parts: str) -> Location:
    """`where / part / ...` for a folder or a URL."""
    if not is_remote(where):
        return Path(where).joinpath(*parts)
    return "/".join([str(where).rstrip("/"), *parts])


def _filesystem(url: str) -> tuple[Any, str]:
    from fsspec.core import url_to_fs

    try:
        return url_to_fs(url)
    except (ImportError, ValueError) as exc:  # no fsspec implementation for the scheme (s3fs, gcsfs, ...)
        raise OutputError(
            f"cannot write here: {exc}", path=url, fix="pip install s3fs (or the fsspec package of the scheme)"
        ) from None


def read_text(where: Location) -> str | None:
    """A small text file's content, None if it does not exist (or cannot be read)."""
    if not is_remote(where):
        with contextlib.suppress(OSError, UnicodeDecodeError):
            return Path(where).read_text(encoding="utf-8")
        return None
    fs, path = _filesystem(str(where))
    with contextlib.suppress(FileNotFoundError, OSError):
        return fs.cat_file(path).decode("utf-8")
    return None


def read_texts(folder: Location, names: Iterable[str]) -> dict[str, str]:
    """The contents of those of `names` (small text files in `folder`) that exist; on object storage, one
    listing and one concurrent read rather than a request per name."""
    if not is_remote(folder):
        texts = {name: read_text(Path(folder) / name) for name in names}
        return {name: text for name, text in texts.items() if text is not None}
    fs, root = _filesystem(str(folder))
    root = root.rstrip("/")
    fs.invalidate_cache(root)
    try:
        present = {str(path).rsplit("/", 1)[-1] for path in fs.ls(root, detail=False)}
    except (FileNotFoundError, OSError):
        return {}
    wanted = {f"{root}/{name}": name for name in names if name in present}
    contents = fs.cat(list(wanted), on_error="omit") if wanted else {}
    texts = {}
    for path, data in contents.items():
        with contextlib.suppress(UnicodeDecodeError, KeyError, AttributeError):
            texts[wanted[path.rstrip("/")]] = data.decode("utf-8")
    return texts


def write_text(where: str, text: str) -> None:
    """Write a small text object (one PUT: complete or absent)."""
    fs, path = _filesystem(where)
    try:
        fs.pipe_file(path, text.encode("utf-8"))
    except OSError as exc:
        raise OutputError(f"cannot write: {exc}", path=where) from None


def upload_folder(folder: Path, where: str, *, last: str | None = None) -> list[str]:
    """Upload every file below `folder` to `where` (same relative names), `last` (a relative name) at the end;
    returns the URLs written."""
    fs, root = _filesystem(where)
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    files.sort(key=lambda p: p.relative_to(folder).as_posix() == last)  # stable: only `last` moves to the end
    written = []
    for file in files:
        relative = file.relative_to(folder).as_posix()
        try:
            fs.put_file(str(file), f"{root.rstrip('/')}/{relative}")
        except OSError as exc:
            raise OutputError(f"cannot upload {relative}: {exc}", path=where) from None
        written.append(f"{where.rstrip('/')}/{relative}")
    return written


@contextlib.contextmanager
def staged(where: Location, *, last: str | None = None) -> Iterator[Path]:
    """A local folder to write `where`'s files in: `where` itself when it is local; else a temporary folder
    whose files are uploaded to `where` when the block succeeds (`last` at the end), and dropped if it fails."""
    if not is_remote(where):
        yield Path(where)
        return
    with tempfile.TemporaryDirectory(prefix="unetops-upload-") as temporary:
        yield Path(temporary)
        upload_folder(Path(temporary), str(where), last=last)
