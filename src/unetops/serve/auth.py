"""Bearer-token authentication: tokens compared in constant time; 401 without a token, 403 with a wrong one."""

from __future__ import annotations

import hmac

from fastapi import Request

from unetops.serve.problems import Problem

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="unetops"'}


def token_accepted(offered: str, tokens: tuple[str, ...]) -> bool:
    """True if `offered` equals one of `tokens`; every token is compared, in constant time."""
    matches = [hmac.compare_digest(offered.encode(), token.encode()) for token in tokens]
    return any(matches)


def require_token(request: Request) -> None:
    """FastAPI dependency: the request carries `Authorization: Bearer <token>` with an accepted token."""
    settings = request.app.state.settings
    if not settings.auth:
        return
    scheme, _, offered = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not offered.strip():
        raise Problem(401, "Authentication required", "send Authorization: Bearer <token>", CHALLENGE)
    if not token_accepted(offered.strip(), settings.tokens):
        raise Problem(403, "Forbidden", "the token is not accepted")
