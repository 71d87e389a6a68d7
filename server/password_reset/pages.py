"""The password reset pages: ask for a link (/wachtwoord/vergeten), set a new password with it
(/wachtwoord/nieuw/{token}). The login page links to the first."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from server.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    AccountError,
    normalize_email,
)
from server.auth import require_password_login
from server.forms import form_fields
from server.limits import TooMany, client_address
from server.password_reset import actions
from server.templating import language_of, render, translator_for


def _base_url(request: Request) -> str:
    """Where links in mail point: the configured address, else the one this request came to."""
    configured: str = request.app.state.settings.public_url
    return configured or str(request.base_url).rstrip("/")


async def forgot_page(request: Request) -> Response:
    require_password_login(request)
    return render(request, "password/forgot.html", {"email": "", "error": None, "sent": False})


async def forgot(request: Request) -> Response:
    require_password_login(request)
    fields = await form_fields(request, "email")
    settings = request.app.state.settings
    _ = translator_for(request)
    try:
        email = normalize_email(fields["email"])
    except AccountError as error:
        return render(
            request,
            "password/forgot.html",
            {
                "email": fields["email"][:254],
                "error": _(error.message) % error.params,
                "sent": False,
            },
            status_code=422,
        )
    try:
        async with request.app.state.db() as db:
            await actions.request_reset(
                db,
                email=email,
                client=client_address(request),
                language=language_of(request),
                base_url=_base_url(request),
                per_email=settings.reset_requests_per_email,
                per_client=settings.reset_requests_per_client,
            )
    except TooMany as refused:
        response = render(
            request,
            "password/forgot.html",
            {
                "email": email,
                "error": _("Too many requests for a new password. Try again in an hour."),
                "sent": False,
            },
            status_code=429,
        )
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    sender = getattr(request.app.state, "mail", None)
    if sender is not None:
        sender.wake()  # after the commit: the mail goes out now, and this answer does not wait
    # The same answer, known address or not.
    return render(request, "password/forgot.html", {"email": "", "error": None, "sent": True})


async def new_password_page(request: Request) -> Response:
    require_password_login(request)
    token = request.path_params["token"]
    async with request.app.state.db() as db:
        try:
            await actions.check_link(db, token)
        except AccountError as error:
            return _link_refused(request, error)
    return _new_password_form(request, token, None)


async def new_password(request: Request) -> Response:
    require_password_login(request)
    token = request.path_params["token"]
    fields = await form_fields(request, "password", max_length=2000)
    _ = translator_for(request)
    try:
        async with request.app.state.db() as db:
            await actions.reset_password(db, token=token, password=fields["password"])
    except AccountError as error:
        if error.code in ("link_used", "link_expired"):
            return _link_refused(request, error)
        return _new_password_form(request, token, _(error.message) % error.params, 422)
    return render(request, "password/done.html")


def _new_password_form(
    request: Request, token: str, error: str | None, status_code: int = 200
) -> Response:
    return render(
        request,
        "password/new.html",
        {
            "token": token,
            "error": error,
            "min_length": MIN_PASSWORD_LENGTH,
            "max_length": MAX_PASSWORD_LENGTH,
        },
        status_code=status_code,
    )


def _link_refused(request: Request, error: AccountError) -> Response:
    _ = translator_for(request)
    return render(
        request,
        "password/link.html",
        {"error": _(error.message) % error.params, "error_code": error.code},
        status_code=410,
    )


routes: list[BaseRoute] = [
    Route("/wachtwoord/vergeten", forgot_page, methods=["GET"], name="password_forgot"),
    Route("/wachtwoord/vergeten", forgot, methods=["POST"]),
    Route("/wachtwoord/nieuw/{token}", new_password_page, methods=["GET"], name="password_new"),
    Route("/wachtwoord/nieuw/{token}", new_password, methods=["POST"]),
]
