"""Request-size limit: bodies over the limit get 413 problem details, by Content-Length or while streaming."""

from __future__ import annotations

import contextlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from unetops.serve.problems import problem_response


class BodyTooLarge(Exception):
    """Raised into the app when a streamed body passes the limit."""


class BodyLimitMiddleware:
    """Refuses request bodies over `limit` bytes (or the limit of their path in `paths`) before the app parses
    them."""

    def __init__(self, app: ASGIApp, limit: int, paths: dict[str, int] | None = None) -> None:
        self.app, self.default, self.paths = app, limit, paths or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.paths.get(scope["path"], self.default)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(limit, scope, receive, send)
            return
        received, exceeded, answered = 0, False, False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                exceeded = True
                raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal answered
            if not exceeded:
                await send(message)
            elif not answered:  # whatever the app made of the interrupted body, the answer is 413
                answered = True
                await self._refuse(limit, scope, receive, send)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, counted_receive, guarded_send)
        if exceeded and not answered:
            await self._refuse(limit, scope, receive, send)

    @staticmethod
    async def _refuse(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"the request body is over {limit:,} bytes"
        await problem_response(413, "Request too large", detail)(scope, receive, send)
