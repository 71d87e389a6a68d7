"""Input no text here can hold, refused as bad input before it reaches a parser or the database.

- A NUL character (code 0): PostgreSQL cannot store one in text, so a NUL in a path, a query
  string, a form or a JSON body is answered 400 (`nul_character`), never 500.
- JSON nested deeper than `MAX_JSON_DEPTH`: parsers recurse, and a 2 KB `[[[[…` exhausts the
  stack. `json_problem` finds both with one linear scan of the raw bytes, before any parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from server.errors import ApiError, PageError
from server.i18n import N_

# No request or message of ours nests deeper than a handful of levels.
MAX_JSON_DEPTH = 32
NUL_CODE = "nul_character"
NUL_MESSAGE = N_(
    "What you sent contains a NUL character (code 0), which no text here can hold. "
    "Remove it and try again."
)
# A websocket handshake with a NUL in its address is refused (HTTP 403) with this close code.
CLOSE_POLICY = 1008

JsonProblem = Literal["too_deep", "nul"]
TOO_DEEP: Final = "too_deep"
NUL: Final = "nul"
ErrorResponder = Callable[[Request, int, str, str], Response]

# What matters when scanning JSON: an escaped NUL, any other escape (skipped whole, so an escaped
# quote or backslash is not mistaken for one), a quote, a bracket, a raw NUL byte.
_TOKEN = re.compile(rb'\\u0000|\\.|["\[\]{}]|\x00', re.DOTALL)
_OPENING = (b"[", b"{")
_CLOSING = (b"]", b"}")
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def json_problem(raw: bytes, max_depth: int = MAX_JSON_DEPTH) -> JsonProblem | None:
    """`too_deep`, `nul` (a NUL in a string, escaped or not) or None; linear in the bytes.

    Most messages have fewer brackets than the limit and no `\\u0000`: then only C-speed
    counts run."""
    if b"\x00" in raw:
        return NUL
    if raw.count(b"[") + raw.count(b"{") <= max_depth and b"\\u0000" not in raw:
        return None
    depth = 0
    in_string = False
    for match in _TOKEN.finditer(raw):
        token = match[0]
        if token == b'"':
            in_string = not in_string
        elif token == b"\\u0000":
            if in_string:
                return NUL
        elif in_string or token[:1] == b"\\":
            continue
        elif token in _OPENING:
            depth += 1
            if depth > max_depth:
                return TOO_DEEP
        elif token in _CLOSING:
            depth -= 1
    return None


def refuse_bad_json(raw: bytes) -> None:
    """ApiError (400) for a JSON body that nests too deep or holds a NUL; the /api/ readers
    call this before they parse."""
    problem = json_problem(raw)
    if problem == TOO_DEEP:
        raise ApiError(
            400, "too_deep", f"the body nests lists and objects more than {MAX_JSON_DEPTH} deep"
        )
    if problem == NUL:
        raise ApiError(
            400, NUL_CODE, "the body contains a NUL character (\\u0000), which no text can hold"
        )


class BadInputMiddleware:
    """Refuses a NUL in the path or query string (400: a page, or JSON under /api/), and in a
    submitted form, whichever route reads it: the form's bytes are checked as the route reads
    them, and a NUL raises PageError(400) there, answered like any other error of the route.

    It sits inside the CSRF middleware (which reads a form's token and replays the body) and
    the current-user middleware, so the error page knows who is logged in."""

    def __init__(self, app: ASGIApp, *, on_error: ErrorResponder):
        self.app = app
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        if "\x00" in scope["path"] or b"%00" in query or b"\x00" in query:
            if scope["type"] == "websocket":
                await WebSocketClose(CLOSE_POLICY)(scope, receive, send)
                return
            response = self.on_error(Request(scope), 400, NUL_CODE, NUL_MESSAGE)
            await response(scope, receive, send)
            return
        if scope["type"] == "http":
            content_type = _content_type(scope)
            if content_type in _FORMS:
                receive = _checking_form(receive, urlencoded=content_type == _FORMS[0])
        await self.app(scope, receive, send)


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return str(value.decode("latin-1").split(";")[0].strip().lower())
    return ""


def _checking_form(receive: Receive, *, urlencoded: bool) -> Receive:
    """`receive` that raises PageError(400) when the form's bytes hold a NUL (in a URL-encoded
    form also `%00`, also split over two chunks)."""
    tail = b""

    async def checked() -> Message:
        nonlocal tail
        message = await receive()
        if message["type"] == "http.request":
            chunk = tail + message.get("body", b"")
            if b"\x00" in chunk or (urlencoded and b"%00" in chunk):
                raise PageError(400, NUL_CODE, NUL_MESSAGE)
            tail = chunk[-2:]
        return message

    return checked
