from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from unetops.errors import OutputError
from unetops.fileio import (
    atomic_directory,
    atomic_write_bytes,
    atomic_write_json,
    cache_dir,
    output_lock,
    safe_name,
    sha256_file,
)


def test_atomic_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.bin"
    atomic_write_bytes(target, b"abc")
    atomic_write_bytes(target, b"xyz")
    assert target.read_bytes() == b"xyz"
    assert [p.name for p in target.parent.iterdir()] == ["f.bin"]


def test_json_is_stable(tmp_path: Path) -> None:
    atomic_write_json(tmp_path / "a.json", {"b": 1, "a": [1, 2]})
    text = (tmp_path / "a.json").read_text()
    assert text.index('"a"') < text.index('"b"') and text.endswith("\n")
    assert json.loads(text) == {"a": [1, 2], "b": 1}


def test_sha256_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"hello")
    assert sha256_file(tmp_path / "f") == hashlib.sha256(b"hello").hexdigest()


def test_atomic_directory_appears_only_on_success(tmp_path: Path) -> None:
    final = tmp_path / "out"
    with pytest.raises(RuntimeError), atomic_directory(final) as staging:
        (staging / "part").write_text("half")
        raise RuntimeError("killed")
    assert not final.exists()
    assert list(tmp_path.iterdir()) == []
    with atomic_directory(final) as staging:
        (staging / "whole").write_text("done")
    assert (final / "whole").read_text() == "done"
    assert oct(final.stat().st_mode & 0o777) != oct(0o700)


def test_atomic_directory_refuses_or_replaces_existing(tmp_path: Path) -> None:
    final = tmp_path / "out"
    final.mkdir()
    (final / "old").write_text("old")
    with pytest.raises(OutputError, match="output exists"), atomic_directory(final):
        pass
    assert (final / "old").exists()
    with atomic_directory(final, overwrite=True) as staging:
        (staging / "new").write_text("new")
    assert [p.name for p in final.iterdir()] == ["new"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_stale_staging_folders_are_removed(tmp_path: Path) -> None:
    stale = tmp_path / ".out.staging-abc"
    stale.mkdir()
    with atomic_directory(tmp_path / "out"):
        pass
    assert not stale.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("slide 01\ntile\t2", "slide_01_tile_2"),
        ('a:b|c?d*e<f>g"h\\i/j', "a_b_c_d_e_f_g_h_i_j"),
        (".hidden", "hidden"),
        ("Ki-67+ER_µm.v2", "Ki-67+ER_µm.v2"),
        ("\n\n", "_"),
        ("", "unnamed"),
    ],
)
def test_one_rule_for_output_names(text: str, expected: str) -> None:
    assert safe_name(text) == expected
    assert "\n" not in safe_name(text) and "/" not in safe_name(text)


def test_written_files_get_the_usual_permissions_and_another_user_reads_them() -> None:
    import os
    import shutil
    import stat
    import subprocess
    import tempfile

    folder = Path(tempfile.mkdtemp(dir="/tmp"))
    try:
        folder.chmod(0o755)
        old = os.umask(0o022)
        try:
            atomic_write_bytes(folder / "model.onnx", b"weights")
        finally:
            os.umask(old)
        assert stat.S_IMODE((folder / "model.onnx").stat().st_mode) == 0o644
        if os.geteuid() == 0 and shutil.which("setpriv"):  # root reads anything: read as uid 65534 instead
            as_nobody = [
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "cat",
                str(folder / "model.onnx"),
            ]
            assert subprocess.run(as_nobody, capture_output=True, timeout=30).stdout == b"weights"
    finally:
        shutil.rmtree(folder)


def test_a_second_writer_is_refused_while_the_first_writes(tmp_path: Path) -> None:
    final = tmp_path / "out"
    with atomic_directory(final) as staging:
        (staging / "first").write_text("1")
        with pytest.raises(OutputError, match="another process is writing this output"), atomic_directory(final):
            pass
        assert staging.is_dir()  # the second writer did not clean the first one's staging folder away
    assert (final / "first").read_text() == "1" and [p.name for p in tmp_path.iterdir()] == ["out"]
    with output_lock(final):  # free again
        pass


def test_folder_failures_are_clear_errors_that_leave_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    refused = pytest.raises(OutputError, match="cannot create the output's folder")
    with refused as caught, atomic_directory(tmp_path / "a-file" / "out"):
        pass
    assert caught.value.path == tmp_path / "a-file"
    final = tmp_path / "out"
    final.mkdir()
    (final / "old").write_text("old")
    real_replace = os.replace

    def refuse_the_new_version(source, target):  # the system refuses the last rename (EBUSY, EXDEV, ...)
        if Path(target) == final and ".staging-" in str(source) and "retired" not in str(source):
            raise OSError(16, "Device or resource busy")
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", refuse_the_new_version)
    refused = pytest.raises(OutputError, match="cannot put the output in place: Device or resource busy")
    with refused, atomic_directory(final, overwrite=True) as staging:
        (staging / "new").write_text("new")
    assert [p.name for p in final.iterdir()] == ["old"]  # the previous version is back
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "out"]  # no staging folder, no lock left


def test_the_cache_is_where_the_environment_says(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("UNETOPS_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir("models", "a") == tmp_path / "mine" / "models" / "a"
    monkeypatch.delenv("UNETOPS_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir("slides") == tmp_path / "xdg" / "unetops" / "slides"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_dir() == Path.home() / ".cache" / "unetops"
