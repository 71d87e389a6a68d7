"""Request bodies over a small limit are refused with 413 before they are read.

Without a bound, anyone (no account needed: the join API) can make a process read and hold
megabytes per request. The limit (`Settings.max_body_bytes`, 256 KiB by default) is checked
twice, as pure ASGI so that nothing has read the body yet:

- a declared `Content-Length` over the limit is answered at once; the body is never asked for,
  so the client need not send it (and with `Expect: 100-continue` is told not to);
- a body without a length (chunked) is counted as it streams in, and once its bytes pass the
  limit, reading it stops with `BodyTooLarge` (a 413 `PageError`): inside a route the error
  handlers answer it like any other, and when a middleware was reading (the CSRF check reads
  forms) this middleware answers it.

The answer closes the connection (`Connection: close`), so the unread rest is never read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import PageError
from server.i18n import N_

CODE = "too_large"
# The limit in bytes for programs, and in kB for people (256 KiB reads as "256 kB").
MESSAGE = N_("What you sent is too large: at most %(kb)s kB (%(bytes)s bytes) can be sent at once.")

ErrorResponder = Callable[[Request, int, str, str, Mapping[str, object] | None], Response]


class BodyTooLarge(PageError):
    """The body's bytes passed the limit while it was read."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, CODE, MESSAGE, **_params(limit))


def _params(limit: int) -> dict[str, object]:
    return {"kb": limit // 1024, "bytes": limit}


def declared_length(scope: Scope) -> int | None:
    """The Content-Length the request declares, or None (none, or not a number: the HTTP
    server refuses a malformed one before the app sees it)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class BodyLimitMiddleware:
    """Sits outside every middleware that reads a body (CSRF, bad input) and outside the routes."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, on_error: ErrorResponder) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if received > self.max_bytes:  # a route's 413: close, the rest stays unread
                    message = {
                        **message,
                        "headers": [*message.get("headers", []), (b"connection", b"close")],
                    }
            await send(message)

        try:
            await self.app(scope, counting, sending)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = self.on_error(Request(scope), 413, CODE, MESSAGE, _params(self.max_bytes))
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
