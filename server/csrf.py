"""CSRF protection for every form, as pure ASGI middleware so no route can forget it.

Each browser gets a random token in an HttpOnly cookie; pages put the same token in a hidden
form field (`csrf_token`) and scripts send it in the `X-CSRF-Token` header. Only GET, HEAD and
OPTIONS are safe: they never change anything (reading and writing are separate routes, so a
HEAD reaches only a GET handler). Every other method, known or not, must carry the token.
JSON requests to the API (`/api/…`, whose handlers read JSON) are exempt from the token: a
cross-site page cannot send `application/json` without a CORS preflight, which this server never
grants. A form's route gets no such exemption: its handler may need no body at all, so a JSON
post there would act on the login cookie alone. Any unsafe request whose Origin is neither this
site nor an allowed origin is refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.i18n import N_

COOKIE = "werkplaats_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
MAX_FORM_BYTES = 1024 * 1024
API = "/api/"  # the JSON API: its requests may go without the token when they are JSON
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

ErrorResponder = Callable[[Request, int, str, str], Response]


class CSRFMiddleware:
    def __init__(
        self, app: ASGIApp, *, allowed_origins: Iterable[str], on_error: ErrorResponder
    ) -> None:
        self.app = app
        self.allowed_origins = frozenset(allowed_origins)
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookie_token = _cookie_value(headers.get("cookie", ""))
        token = cookie_token or secrets.token_urlsafe(32)
        scope["csrf_token"] = token
        if cookie_token is None:
            send = _setting_cookie(send, token, secure=scope.get("scheme") == "https")

        if scope["method"] not in _SAFE:
            refusal = await self._refusal(scope, headers, cookie_token, receive)
            if isinstance(refusal, tuple):
                status, code, message = refusal
                response = self.on_error(Request(scope), status, code, message)
                await response(scope, receive, send)
                return
            receive = refusal
        await self.app(scope, receive, send)

    async def _refusal(
        self, scope: Scope, headers: Headers, cookie_token: str | None, receive: Receive
    ) -> tuple[int, str, str] | Receive:
        """Why the request is refused, or a `receive` that replays the body already read."""
        origin = headers.get("origin")
        if origin is not None and not self._origin_allowed(origin, scope, headers):
            return 403, "csrf_origin", N_("This request comes from another website; refused.")
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/json" and scope["path"].startswith(API):
            return receive
        sent = headers.get(HEADER)
        body = b""
        if sent is None and content_type == "application/x-www-form-urlencoded":
            read = await _read_body(receive, MAX_FORM_BYTES)
            if read is None:
                return 413, "too_large", N_("What you sent is too large.")
            body = read
            values = parse_qs(body.decode("latin-1"), max_num_fields=1000).get(FIELD, [])
            sent = values[0] if values else None
        if (
            cookie_token is None
            or sent is None
            or not secrets.compare_digest(sent.encode(), cookie_token.encode())
        ):
            return (
                403,
                "csrf_failed",
                N_(
                    "This form has expired or did not come from this site. "
                    "Reload the page and try again."
                ),
            )
        return _replay(body, receive) if body else receive

    def _origin_allowed(self, origin: str, scope: Scope, headers: Headers) -> bool:
        origin = origin.rstrip("/")
        own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
        return origin == own or origin in self.allowed_origins


def _cookie_value(cookie_header: str) -> str | None:
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie.load(cookie_header)
    except Exception:  # a malformed Cookie header is treated as no cookie
        return None
    morsel = cookie.get(COOKIE)
    value = morsel.value if morsel is not None else None
    return value if value and 20 <= len(value) <= 100 else None


def _setting_cookie(send: Send, token: str, *, secure: bool) -> Send:
    parts = [f"{COOKIE}={token}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    header = "; ".join(parts).encode("latin-1")

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", header)]}
        await send(message)

    return wrapped


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
