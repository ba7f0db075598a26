"""The service's routes, one router per concern; `create_app` includes them all."""

from __future__ import annotations

from fastapi import Depends

from unetops.serve.auth import require_token
from unetops.serve.problems import PROBLEM_TYPE

AUTHORISED = [Depends(require_token)]
PNG = {"content": {"image/png": {}}, "description": "PNG image"}
ERRORS = {code: {"content": {PROBLEM_TYPE: {}}, "description": text} for code, text in (
    (400, "unreadable image"), (401, "no token"), (403, "wrong token"), (413, "too large"),
    (415, "not an image"), (422, "invalid request"), (503, "busy or timed out"),
)}  # fmt: skip
