"""Pages of the second login factor: the login's second step, turning it on and off on one's
account page, and a coordinator's reset of another account's (docs/accounts.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from server import accounts, two_factor
from server.accounts import AccountError
from server.auth import (
    SECOND_FACTOR_PAGE,
    clear_pending_cookie,
    current_user,
    pending_token,
    require_role,
    require_user,
    set_login_cookie,
)
from server.errors import PageError
from server.forms import form_fields, safe_next
from server.limits import client_address
from server.models import Role, User
from server.templating import render, translator_for

_NO_STORE = {"Cache-Control": "no-store"}  # secrets and recovery codes stay out of caches


def _login_again(request: Request, next_page: str) -> Response:
    _ = translator_for(request)
    message = _("Your login took longer than 5 minutes. Log in again.")
    response = render(
        request,
        "login.html",
        {"email": "", "error": message, "error_code": "login_expired", "next": next_page},
        status_code=401,
    )
    clear_pending_cookie(response, request)
    return response


async def _pending(request: Request) -> tuple[str, User] | None:
    token = pending_token(request)
    if token is None:
        return None
    async with request.app.state.db() as db:
        user = await two_factor.pending_user(db, token)
    return None if user is None else (token, user)


async def code_page(request: Request) -> Response:
    next_page = safe_next(request.query_params.get("next"))
    if current_user(request) is not None:
        return RedirectResponse(next_page, status_code=303)
    if await _pending(request) is None:
        return _login_again(request, next_page)
    return render(request, "login_code.html", {"error": None, "next": next_page})


async def code_submit(request: Request) -> Response:
    """The login's second step: a right code turns the half login into a login (once)."""
    fields = await form_fields(request, "code", "next", max_length=64)
    next_page = safe_next(fields["next"])
    pending = await _pending(request)
    if pending is None:
        return _login_again(request, next_page)
    token, user = pending
    settings = request.app.state.settings
    try:
        async with request.app.state.db() as db:
            # Wrong codes count as failed logins, with the same atomic bound as passwords.
            attempt = await accounts.claim_login_attempt(
                db,
                email=user.email,
                client=client_address(request),
                failures_per_email=settings.login_failures_per_email,
                failures_per_client=settings.login_failures_per_client,
            )
            await two_factor.check_code(db, user.id, settings.secret_key, fields["code"])
            await accounts.forget_login_attempt(db, attempt)
            if not await two_factor.finish_pending_login(db, token):
                return _login_again(request, next_page)
            login = await accounts.start_login_session(db, user, settings.session_days)
    except AccountError as error:
        _ = translator_for(request)
        return render(
            request,
            "login_code.html",
            {
                "error": _(error.message) % error.params,
                "error_code": error.code,
                "next": next_page,
            },
            status_code=429 if error.code == "too_many_attempts" else 401,
        )
    response = RedirectResponse(next_page, status_code=303)
    clear_pending_cookie(response, request)
    set_login_cookie(response, request, login, settings.session_days)
    return response


def _enrolment(request: Request, user: User, secret: str) -> dict[str, object]:
    _ = translator_for(request)
    secret_key = request.app.state.settings.secret_key
    uri = two_factor.otpauth_uri(secret, user.email)
    return {
        "uri": uri,
        "qr": two_factor.qr_svg(uri, _("QR code to scan with your authenticator app")),
        "grouped_secret": two_factor.grouped(secret),
        "enrolment": two_factor.enrolment_token(secret_key, user.id, secret),
    }


async def _render(
    request: Request,
    user: User,
    *,
    secret: str | None = None,
    error: AccountError | None = None,
    codes: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    _ = translator_for(request)
    async with request.app.state.db() as db:
        codes_left = await two_factor.recovery_codes_left(db, user.id)
    context: dict[str, object] = {
        "account": user,
        "is_on": user.has_second_factor or codes is not None,
        "codes": codes,
        "codes_left": codes_left,
        "needed": Role.COORDINATOR in user.granted_roles,
        "error": (_(error.message) % error.params) if error else None,
        "error_code": error.code if error else None,
        "next": safe_next(request.query_params.get("next"), default="/account"),
    }
    if not context["is_on"]:
        context.update(_enrolment(request, user, secret or two_factor.new_secret()))
    response = render(request, "two_factor.html", context, status_code=status_code)
    response.headers.update(_NO_STORE)
    return response


async def setup_page(request: Request) -> Response:
    return await _render(request, require_user(request))


async def turn_on(request: Request) -> Response:
    user = require_user(request)
    fields = await form_fields(request, "enrolment", "code", max_length=500)
    secret_key = request.app.state.settings.secret_key
    try:
        secret = two_factor.read_enrolment(secret_key, user.id, fields["enrolment"])
    except AccountError as error:
        return await _render(request, user, error=error, status_code=422)
    try:
        async with request.app.state.db() as db:
            codes = await two_factor.enable(db, user, secret_key, secret, fields["code"])
    except AccountError as error:
        return await _render(request, user, secret=secret, error=error, status_code=422)
    return await _render(request, user, codes=codes)


async def turn_off(request: Request) -> Response:
    user = require_user(request)
    fields = await form_fields(request, "code", max_length=64)
    settings = request.app.state.settings
    try:
        async with request.app.state.db() as db:
            # Bounded like a login: a stolen login must not guess its way to turning it off.
            attempt = await accounts.claim_login_attempt(
                db,
                email=user.email,
                client=client_address(request),
                failures_per_email=settings.login_failures_per_email,
                failures_per_client=settings.login_failures_per_client,
            )
            await two_factor.disable(db, user, settings.secret_key, fields["code"])
            await accounts.forget_login_attempt(db, attempt)
    except AccountError as error:
        status = 429 if error.code == "too_many_attempts" else 422
        return await _render(request, user, error=error, status_code=status)
    return RedirectResponse(SECOND_FACTOR_PAGE, status_code=303)


async def reset(request: Request) -> Response:
    """A coordinator turns another account's second factor off (a lost phone); audited."""
    actor = require_role(request, Role.COORDINATOR)
    raw = request.path_params["account_id"]
    try:
        async with request.app.state.db() as db:
            await two_factor.reset(db, actor, raw)
    except AccountError as error:
        status = 404 if error.code == "unknown_account" else 400
        raise PageError(status, error.code, error.message, **error.params) from None
    return RedirectResponse("/beheer/accounts#two-factor-reset", status_code=303)


routes: list[BaseRoute] = [
    Route("/login/code", code_page, methods=["GET"], name="login_code"),
    Route("/login/code", code_submit, methods=["POST"]),
    Route(SECOND_FACTOR_PAGE, setup_page, methods=["GET"], name="two_factor"),
    Route(SECOND_FACTOR_PAGE, turn_on, methods=["POST"]),
    Route(f"{SECOND_FACTOR_PAGE}/uit", turn_off, methods=["POST"], name="two_factor_off"),
    Route(
        "/beheer/accounts/{account_id:int}/tweestaps/reset",
        reset,
        methods=["POST"],
        name="two_factor_reset",
    ),
]
