"""`unetops serve`: the REST API and web UI for one model."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from unetops.cli.console import err_console
from unetops.cli.options import field_default, field_option, model_or_starter
from unetops.serve.settings import ServeSettings


def ready_line(model: str, host: str, port: int, auth: bool) -> str:
    """The one plain line a person reads among the JSON logs: where the UI is and how to use the token."""
    shown = "localhost" if host in ("0.0.0.0", "::", "") else host
    how = (
        "the web UI asks for the token once; API clients send 'Authorization: Bearer <token>'"
        if auth
        else "no token needed (--no-auth)"
    )
    return f"serving {model}: web UI http://{shown}:{port}/ui/ , API /v1 (OpenAPI /docs); {how}"


MB, GB = 2**20, 2**30


def _size_option(field: str, flag: str, unit: int, envvar: str, minimum: float) -> Any:
    """An option in MB or GB (`unit` bytes) for a `ServeSettings` field in bytes."""
    default = field_default(ServeSettings, field) / unit
    return field_option(ServeSettings, field, flag, default=default, envvar=envvar, min=minimum)


def serve(
    model: str = typer.Option(
        None,
        envvar="UNETOPS_MODEL",
        help="Model folder, model.onnx or models:/NAME@ALIAS (default: the starter model shipped in the package).",
    ),
    host: str = typer.Option("127.0.0.1", envvar="UNETOPS_HOST", help="Address to listen on (0.0.0.0: all)."),
    port: int = typer.Option(8000, envvar="UNETOPS_PORT", min=1, max=65535, help="Port to listen on."),
    token_file: Path = typer.Option(
        None, envvar="UNETOPS_API_TOKENS_FILE", help="File of accepted tokens, one per line (or UNETOPS_API_TOKENS)."
    ),
    no_auth: bool = typer.Option(False, "--no-auth", help="Serve without tokens (only behind your own auth proxy)."),
    max_upload_mb: float = _size_option("max_upload_bytes", "--max-upload-mb", MB, "UNETOPS_MAX_UPLOAD_MB", 0.01),
    max_pixels: int = field_option(ServeSettings, "max_pixels", envvar="UNETOPS_MAX_PIXELS", min=1),
    timeout: float = field_option(ServeSettings, "request_timeout_s", "--timeout", envvar="UNETOPS_TIMEOUT_S", min=0.1),
    max_concurrent: int = field_option(ServeSettings, "max_concurrent", envvar="UNETOPS_MAX_CONCURRENT", min=1),
    threads: int = field_option(ServeSettings, "threads", envvar="UNETOPS_THREADS", min=1),
    cors_origin: list[str] = field_option(
        ServeSettings, "cors_origins", "--cors-origin", default=None, envvar="UNETOPS_CORS_ORIGINS"
    ),
    data_folder: Path = field_option(ServeSettings, "data_folder", envvar="UNETOPS_DATA_FOLDER"),
    jobs_folder: Path = field_option(ServeSettings, "jobs_folder", envvar="UNETOPS_JOBS_FOLDER"),
    max_jobs: int = field_option(ServeSettings, "max_jobs", envvar="UNETOPS_MAX_JOBS", min=1),
    scheduler: str = field_option(ServeSettings, "scheduler", envvar="UNETOPS_SCHEDULER"),
    follow_interval: float = field_option(
        ServeSettings, "follow_interval_s", "--follow-interval", envvar="UNETOPS_FOLLOW_INTERVAL_S", min=1
    ),
    max_slide_upload_gb: float = _size_option(
        "max_slide_upload_bytes", "--max-slide-upload-gb", GB, "UNETOPS_MAX_SLIDE_UPLOAD_GB", 0.001
    ),
) -> None:
    """Serve the REST API (/v1, OpenAPI at /docs), the web UI (/ui) and Prometheus metrics (/metrics)."""
    import uvicorn

    from unetops.model.backends import load_model
    from unetops.serve.app import create_app
    from unetops.serve.logs import LOGGER, configure_json_logging
    from unetops.serve.settings import generated_token, read_tokens

    tokens = read_tokens(os.environ.get("UNETOPS_API_TOKENS"), token_file)
    model = model_or_starter(model)
    loaded = load_model(model, threads=threads)
    if not no_auth and not tokens:
        tokens = (generated_token(),)
        message = f"no token configured (UNETOPS_API_TOKENS or --token-file); this run accepts: {tokens[0]}"
        err_console.print(message, soft_wrap=True, highlight=False)
    settings = ServeSettings(
        model=model,
        tokens=tokens,
        auth=not no_auth,
        max_upload_bytes=int(max_upload_mb * MB),
        max_pixels=max_pixels,
        request_timeout_s=timeout,
        max_concurrent=max_concurrent,
        threads=threads,
        cors_origins=tuple(cors_origin or ()),
        data_folder=data_folder,
        jobs_folder=jobs_folder,
        max_jobs=max_jobs,
        scheduler=scheduler,
        follow_interval_s=follow_interval,
        max_slide_upload_bytes=int(max_slide_upload_gb * GB),
    )
    configure_json_logging()
    app = create_app(settings, loaded)
    LOGGER.info("serving", extra={"model": model, "host": host, "port": port, "auth": settings.auth})
    err_console.print(ready_line(model, host, port, settings.auth), highlight=False)
    uvicorn.run(app, host=host, port=port, access_log=False, log_config=None, timeout_graceful_shutdown=30)
