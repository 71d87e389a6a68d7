"""The app shell's pages: home, login and logout, account pages, language switch.

Its JSON endpoints (health, the logged-in account) are in server/api.py."""

from __future__ import annotations

from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from server import accounts, two_factor
from server.account_invitations.actions import LINK_VALID as INVITATION_VALID
from server.accounts import AccountError
from server.auth import (
    SECOND_FACTOR_PAGE,
    clear_login_cookie,
    current_user,
    login_token,
    require_role,
    require_user,
    set_login_cookie,
    set_pending_cookie,
)
from server.errors import PageError
from server.forms import form_fields, safe_next
from server.i18n import LANGUAGE_COOKIE, LANGUAGES, N_
from server.limits import client_address
from server.models import Role, User
from server.templating import language_of, render, translator_for


async def home(request: Request) -> Response:
    return render(request, "home.html")


async def login_page(request: Request) -> Response:
    next_page = safe_next(request.query_params.get("next"))
    if current_user(request) is not None:
        return RedirectResponse(next_page, status_code=303)
    return render(request, "login.html", {"email": "", "error": None, "next": next_page})


async def login(request: Request) -> Response:
    fields = await form_fields(request, "email", "password", "next")
    settings = request.app.state.settings
    _ = translator_for(request)
    if not settings.password_login:
        return login_refused(
            request,
            "password_login_off",
            _("Logging in with a password is switched off here. Log in with %(name)s.")
            % {"name": settings.oidc_name},
            safe_next(fields["next"]),
            status_code=403,
        )
    client = client_address(request)
    try:
        async with request.app.state.db() as db:
            user = await accounts.authenticate(
                db,
                email=fields["email"],
                password=fields["password"],
                client=client,
                failures_per_email=settings.login_failures_per_email,
                failures_per_client=settings.login_failures_per_client,
            )
            token, pending = await start_login(db, user, settings.session_days)
    except AccountError as error:
        status = 429 if error.code == "too_many_attempts" else 401
        return render(
            request,
            "login.html",
            {
                "email": fields["email"][:254],
                "error": _(error.message) % error.params,
                "error_code": error.code,
                "next": safe_next(fields["next"]),
            },
            status_code=status,
        )
    return await complete_login(request, user, safe_next(fields["next"]), token, pending)


async def complete_login(
    request: Request, user: User, next_page: str, token: str | None, pending: str
) -> Response:
    """The answer to a right first step (a password, the institution's login): the login
    (`token`), or the second step when the account has a second factor (`pending`)."""
    settings = request.app.state.settings
    if token is None:
        response = RedirectResponse(
            f"/login/code?{urlencode({'next': next_page})}", status_code=303
        )
        set_pending_cookie(
            response, request, pending, int(two_factor.PENDING_LOGIN.total_seconds())
        )
        return response
    if Role.COORDINATOR in user.granted_roles:
        # A coordinator's role is in force only with a second factor: set it up first.
        next_page = f"{SECOND_FACTOR_PAGE}?{urlencode({'next': next_page})}"
    response = RedirectResponse(next_page, status_code=303)
    set_login_cookie(response, request, token, settings.session_days)
    return response


async def start_login(db: AsyncSession, user: User, days: int) -> tuple[str | None, str]:
    """After a right first step: a login token, or a half login's token (second factor on)."""
    if user.has_second_factor:
        # Half logged in: the login starts only after the code (server/two_factor.py).
        return None, await two_factor.start_pending_login(db, user)
    return await accounts.start_login_session(db, user, days), ""


def login_refused(
    request: Request, code: str, message: str, next_page: str, status_code: int
) -> Response:
    """The login page again, saying why the login was refused; nobody logged in."""
    return render(
        request,
        "login.html",
        {"email": "", "error": message, "error_code": code, "next": next_page},
        status_code=status_code,
    )


async def logout(request: Request) -> Response:
    token = login_token(request)
    if token is not None:
        async with request.app.state.db() as db:
            await accounts.end_login_session(db, token)
    response = RedirectResponse("/", status_code=303)
    clear_login_cookie(response, request)
    return response


async def account(request: Request) -> Response:
    user = require_user(request)
    async with request.app.state.db() as db:
        codes_left = await two_factor.recovery_codes_left(db, user.id)
    return render(
        request,
        "account.html",
        {"account": user, "codes_left": codes_left, "language_error": None},
    )


async def account_language(request: Request) -> Response:
    """The account chooses the language of the mail sent to it."""
    user = require_user(request)
    fields = await form_fields(request, "language")
    try:
        async with request.app.state.db() as db:
            await accounts.set_language(db, user.id, fields["language"])
    except AccountError as error:
        _ = translator_for(request)
        async with request.app.state.db() as db:
            codes_left = await two_factor.recovery_codes_left(db, user.id)
        return render(
            request,
            "account.html",
            {
                "account": user,
                "codes_left": codes_left,
                "language_error": _(error.message) % error.params,
            },
            status_code=422,
        )
    return RedirectResponse("/account", status_code=303)


async def account_list(request: Request) -> Response:
    require_role(request, Role.COORDINATOR)
    return await render_accounts(request)


async def render_accounts(
    request: Request,
    form: dict[str, str] | None = None,
    error: AccountError | None = None,
    status_code: int = 200,
    *,
    invite_form: dict[str, str] | None = None,
    invite_error: AccountError | None = None,
    invited: str = "",
) -> Response:
    """The accounts page, with what the new-account or the invitation form answered."""
    _ = translator_for(request)
    async with request.app.state.db() as db:
        users = await accounts.list_users(db)
        # Regions are the catalogue's: the assembly (server/app.py) hands over the look-up.
        regions, memberships = await request.app.state.region_memberships(db)
    return render(
        request,
        "accounts.html",
        {
            "users": users,
            "roles": [role.value for role in Role],
            "form": form or {},
            "error": (_(error.message) % error.params) if error else None,
            "error_field": error.field if error else None,
            "invite_form": invite_form or {},
            "invite_error": (_(invite_error.message) % invite_error.params)
            if invite_error
            else None,
            "invite_error_field": invite_error.field if invite_error else None,
            "invited": invited,
            "invite_days": INVITATION_VALID.days,
            "regions": regions,
            "memberships": memberships,
        },
        status_code=status_code,
    )


async def account_create(request: Request) -> Response:
    require_role(request, Role.COORDINATOR)
    form = await request.form(max_files=0, max_fields=100)
    fields = await form_fields(request, "email", "name", "password")
    roles = [value for value in form.getlist("roles") if isinstance(value, str)]
    try:
        async with request.app.state.db() as db:
            await accounts.create_user(db, roles=roles, language=language_of(request), **fields)
    except AccountError as error:
        kept = {"email": fields["email"], "name": fields["name"], "roles": ",".join(roles)}
        return await render_accounts(request, kept, error, status_code=422)
    return RedirectResponse("/beheer/accounts", status_code=303)


async def account_roles(request: Request) -> Response:
    """A coordinator grants another account its roles."""
    actor = require_role(request, Role.COORDINATOR)
    form = await request.form(max_files=0, max_fields=100)
    roles = [value for value in form.getlist("roles") if isinstance(value, str)]
    account_id = request.path_params["account_id"]
    try:
        async with request.app.state.db() as db:
            await accounts.grant_roles(db, actor, account_id, roles)
    except AccountError as error:
        if error.code == "unknown_account":
            raise PageError(404, error.code, error.message) from None
        return await render_accounts(request, {}, error, status_code=422)
    return RedirectResponse(f"/beheer/accounts#roles-{account_id}", status_code=303)


async def set_language(request: Request) -> Response:
    """Remember the chosen interface language and go back to where the visitor was."""
    language = request.query_params.get("lang", "")
    if language not in LANGUAGES:
        raise PageError(
            400,
            "unknown_language",
            N_("Unknown language; allowed: %(allowed)s."),
            allowed=", ".join(LANGUAGES),
        )
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=365 * 24 * 3600,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


routes: list[BaseRoute] = [
    Route("/", home, name="home"),
    Route("/login", login_page, methods=["GET"], name="login"),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/account", account, name="account"),
    Route("/account/taal", account_language, methods=["POST"]),
    Route("/beheer/accounts", account_list, methods=["GET"], name="accounts"),
    Route("/beheer/accounts", account_create, methods=["POST"]),
    Route("/beheer/accounts/{account_id:int}/rollen", account_roles, methods=["POST"]),
    Route("/taal", set_language, name="language"),
]
