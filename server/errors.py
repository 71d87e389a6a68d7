"""Errors people can act on: a page in their language, or JSON with a stable `code`."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from server.i18n import N_
from server.logs import route_template
from server.templating import render, translator_for

log = logging.getLogger("werkplaats")

_DEFAULT_MESSAGES = {
    400: ("bad_request", N_("The request could not be understood.")),
    401: ("not_authenticated", N_("Log in to see this page.")),
    403: ("forbidden", N_("You are not allowed to do this.")),
    404: ("not_found", N_("This page does not exist (anymore).")),
    405: ("method_not_allowed", N_("This address does not accept this kind of request.")),
    413: ("too_large", N_("What you sent is too large.")),
    422: ("invalid", N_("Some of what you sent is not valid.")),
    429: ("too_many_requests", N_("Too many attempts. Wait a minute and try again.")),
    500: ("server_error", N_("Something went wrong on our side. Your data is safe; try again.")),
    503: ("unavailable", N_("The service is not available right now. Try again later.")),
}


class SeedError(Exception):
    """Seeding refused: the message says which file and field is wrong; nothing was loaded."""


class ApiError(Exception):
    """An error answered as JSON: `{"code", "message", "errors"?}`."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        errors: Sequence[dict[str, Any]] = (),
    ):
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.errors = list(errors)


class PageError(Exception):
    """An error shown as a page (or JSON for API clients) with a stable code.

    A subclass may set `location`: a page request is then sent there (303) instead."""

    location: str | None = None

    def __init__(
        self,
        status_code: int,
        code: str | None = None,
        message: str | None = None,
        **params: object,
    ):
        default_code, default_message = _DEFAULT_MESSAGES.get(status_code, _DEFAULT_MESSAGES[400])
        super().__init__(message or default_message)
        self.status_code = status_code
        self.code = code or default_code
        self.message = message or default_message
        self.params = params


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/") or request.url.path == "/healthz":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(
    request: Request,
    status_code: int,
    code: str,
    message: str,
    params: Mapping[str, object] | None = None,
) -> Response:
    """The one way an error is shown: translated, as JSON or as a page."""
    text = translator_for(request)(message)
    if params:
        text = text % params
    if wants_json(request):
        return JSONResponse({"code": code, "message": text}, status_code=status_code)
    return render(
        request,
        "error.html",
        {"status_code": status_code, "code": code, "message": text},
        status_code=status_code,
    )


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, message = _DEFAULT_MESSAGES.get(exc.status_code, _DEFAULT_MESSAGES[400])
    response = error_response(request, exc.status_code, code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    if exc.status_code == 401 and not wants_json(request):
        # A person who is not logged in is sent to log in, and back here afterwards.
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
    if exc.location is not None and not wants_json(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{exc.location}?{urlencode({'next': target})}", status_code=303)
    return error_response(request, exc.status_code, exc.code, exc.message, exc.params)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    body: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.errors:
        body["errors"] = exc.errors
    return JSONResponse(body, status_code=exc.status_code)


async def _server_error(request: Request, exc: Exception) -> Response:
    # The route's template, not the path: paths hold join codes and ids.
    where = route_template(request.scope)
    log.exception("unhandled error on %s %s", request.method, where, exc_info=exc)
    code, message = _DEFAULT_MESSAGES[500]
    try:
        return error_response(request, 500, code, message)
    except Exception:  # the error page itself failed: plain text still tells the user
        return Response("500 — server error", status_code=500, media_type="text/plain")


EXCEPTION_HANDLERS = {
    HTTPException: _http_exception,
    PageError: _page_error,
    ApiError: _api_error,
    Exception: _server_error,
}
