"""Structured JSON logs, one line per request, with a request id echoed in `X-Request-ID`."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Sequence
from typing import Any

from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from unetops.serve.metrics import ServiceMetrics

LOGGER = logging.getLogger("unetops.serve")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class JsonFormatter(logging.Formatter):
    """Log records as JSON objects: time, level, logger, message and any `extra` fields."""

    RESERVED = frozenset(vars(logging.makeLogRecord({})))

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in self.RESERVED and k != "message"})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_json_logging(level: int = logging.INFO) -> None:
    """Send the service's and uvicorn's error logs to stderr as JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    handler.formatter.converter = time.gmtime  # type: ignore[union-attr]
    for name in ("unetops.serve", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False


def metric_labels(scope: Scope, templates: Sequence[tuple[str, re.Pattern[str]]]) -> tuple[str, str]:
    """(method, endpoint) labels from a bounded set, whatever a client sends: a known method or `other`; the
    route's path template (matched here for requests refused before routing too, e.g. an early 413),
    `static` for the UI, or `unmatched`."""
    method = scope["method"] if scope["method"] in KNOWN_METHODS else "other"
    endpoint = getattr(scope.get("route"), "path", None)
    if endpoint is None:
        path = scope["path"]
        matched = (template for template, pattern in templates if pattern.match(path))
        endpoint = next(matched, "static" if path.startswith("/ui") else "unmatched")
    return method, endpoint


class RequestLogMiddleware:
    """Assigns a request id, counts and times the request by route template, logs one JSON line."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics, templates: Sequence[str]) -> None:
        self.app, self.metrics = app, metrics
        self.templates = [(template, compile_path(template)[0]) for template in templates]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = offered if REQUEST_ID.match(offered) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - start
            method, endpoint = metric_labels(scope, self.templates)
            self.metrics.requests.labels(method, endpoint, str(status)).inc()
            self.metrics.latency.labels(method, endpoint, str(status)).observe(elapsed)
            LOGGER.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": scope["path"],
                    "endpoint": endpoint,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                    "client": (scope.get("client") or ("", 0))[0],
                },
            )
