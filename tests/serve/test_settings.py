from __future__ import annotations

from pathlib import Path

import pytest

from unetops.serve.auth import token_accepted
from unetops.serve.settings import ServeError, generated_token, read_tokens


def test_tokens_from_the_environment_and_a_file(tmp_path: Path) -> None:
    file = tmp_path / "tokens"
    file.write_text("# lab tokens\nfile-token-0123456789\n\n")
    assert read_tokens("env-token-0123456789, second-token-0123456", file) == (
        "env-token-0123456789",
        "second-token-0123456",
        "file-token-0123456789",
    )
    assert read_tokens(None, None) == ()


def test_short_tokens_and_missing_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ServeError, match="shorter than 16"):
        read_tokens("short", None)
    with pytest.raises(ServeError) as caught:
        read_tokens(None, tmp_path / "absent")
    assert caught.value.path == tmp_path / "absent"


def test_token_comparison() -> None:
    tokens = (generated_token(), generated_token())
    assert tokens[0] != tokens[1] and len(tokens[0]) >= 32
    assert token_accepted(tokens[1], tokens)
    assert not token_accepted(tokens[1][:-1], tokens) and not token_accepted("", tokens)
