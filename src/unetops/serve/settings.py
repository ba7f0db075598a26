"""`ServeSettings`: everything `unetops serve` is configured with (flags or `UNETOPS_*` environment variables)."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from unetops.errors import UnetopsError


class ServeError(UnetopsError):
    """The service cannot start with these settings."""

    exit_code = 2


class ServeSettings(BaseModel):
    """Settings of one service process."""

    model_config = ConfigDict(extra="forbid", frozen=True, protected_namespaces=())

    model: str = Field(description="model folder, model.onnx, or models:/NAME@ALIAS")
    tokens: tuple[str, ...] = Field((), repr=False, description="accepted bearer tokens (with `auth`)")
    auth: bool = Field(True, description="require a bearer token on the API (off only for a trusted network)")
    max_upload_bytes: int = Field(50 * 2**20, ge=1024, description="largest request body (the CLI takes MB)")
    max_pixels: int = Field(
        16_000_000,
        ge=1,
        description="largest image (width x height) accepted; each megapixel costs about 0.5 CPU-seconds and "
        "12 MB while it is segmented",
    )
    request_timeout_s: float = Field(120.0, gt=0, description="longest time one inference may take")
    max_concurrent: int = Field(2, ge=1, description="inferences run at once; others wait (within the timeout)")
    threads: int | None = Field(None, ge=1, description="ONNX Runtime threads per inference; default all cores")
    cors_origins: tuple[str, ...] = Field((), description="origins allowed by CORS; none by default")
    drift_window: int = Field(200, ge=1, description="recent images the drift report is computed on")
    follow_interval_s: float = Field(
        60.0, ge=1, description="for models:/NAME@ALIAS, seconds between checks of where the alias points"
    )
    data_folder: Path | None = Field(
        None, description="folder of slides that slide jobs (/v1/jobs) may analyse (read only); no jobs without it"
    )
    jobs_folder: Path = Field(Path("unetops-jobs"), description="where slide jobs keep their state and results")
    max_jobs: int = Field(1, ge=1, description="slide jobs run at once; the others wait in a queue")
    scheduler: str | None = Field(
        None, description="Dask scheduler slide jobs run on (tcp://host:8786, a scheduler file, or local); default here"
    )
    max_slide_upload_bytes: int = Field(
        8 * 2**30, ge=1024, description="largest slide a job may upload, streamed to disk (the CLI takes GB)"
    )


def read_tokens(env_tokens: str | None, token_file: Path | None) -> tuple[str, ...]:
    """Tokens from a comma-separated string and/or a file with one token per line (# comments allowed)."""
    tokens = [t.strip() for t in (env_tokens or "").split(",") if t.strip()]
    if token_file is not None:
        try:
            lines = token_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ServeError(f"cannot read the token file: {exc.strerror}", path=token_file) from None
        tokens += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    short = [t for t in tokens if len(t) < 16]
    if short:
        raise ServeError(f"{len(short)} token(s) shorter than 16 characters", fix="use e.g. `openssl rand -hex 32`")
    return tuple(tokens)


def generated_token() -> str:
    """A random token for a run started without one."""
    return secrets.token_urlsafe(32)
