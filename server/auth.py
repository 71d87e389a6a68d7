"""Who is asking: the signed login cookie, the current user, and role checks."""

from __future__ import annotations

from itsdangerous import BadSignature, Signer
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from server.accounts import user_for_token
from server.cookies import set_private_cookie
from server.errors import PageError
from server.i18n import N_
from server.models import Role, User

COOKIE = "werkplaats_session"
# The half login between a right password and a right second-factor code (server/two_factor.py).
PENDING_COOKIE = "werkplaats_pending"
SECOND_FACTOR_PAGE = "/account/tweestaps"


def signer(secret_key: str) -> Signer:
    return Signer(secret_key, salt="werkplaats.login")


def set_login_cookie(response: Response, request: Request, token: str, days: int) -> None:
    value = signer(request.app.state.settings.secret_key).sign(token).decode()
    set_private_cookie(request, response, COOKIE, value, days * 24 * 3600)


def clear_login_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        COOKIE, httponly=True, samesite="lax", secure=request.url.scheme == "https"
    )


def set_pending_cookie(response: Response, request: Request, token: str, seconds: int) -> None:
    value = _pending_signer(request.app.state.settings.secret_key).sign(token).decode()
    set_private_cookie(request, response, PENDING_COOKIE, value, seconds)


def clear_pending_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        PENDING_COOKIE, httponly=True, samesite="lax", secure=request.url.scheme == "https"
    )


def _pending_signer(secret_key: str) -> Signer:
    # Its own salt: a half login's cookie never passes for a login's.
    return Signer(secret_key, salt="werkplaats.pending-login")


def login_token(connection: HTTPConnection) -> str | None:
    """The login token from a validly signed cookie, or None."""
    return _unsign(connection, COOKIE, signer(connection.app.state.settings.secret_key))


def pending_token(connection: HTTPConnection) -> str | None:
    """The half login's token from a validly signed cookie, or None."""
    secret_key = connection.app.state.settings.secret_key
    return _unsign(connection, PENDING_COOKIE, _pending_signer(secret_key))


def _unsign(connection: HTTPConnection, cookie: str, by: Signer) -> str | None:
    raw = connection.cookies.get(cookie)
    if not raw:
        return None
    try:
        return by.unsign(raw).decode()
    except BadSignature:
        return None


class CurrentUserMiddleware:
    """Puts the logged-in user (or None) on `request.state.user` for pages and API alike."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and not scope["path"].startswith("/static/"):
            connection = HTTPConnection(scope)
            user: User | None = None
            token = login_token(connection)
            if token is not None:
                async with connection.app.state.db() as db:
                    user = await user_for_token(db, token)
            scope.setdefault("state", {})["user"] = user
        await self.app(scope, receive, send)


def current_user(request: Request) -> User | None:
    user: User | None = getattr(request.state, "user", None)
    return user


def require_user(request: Request) -> User:
    """The logged-in user; otherwise a 401 (JSON) or a redirect to the login page."""
    user = current_user(request)
    if user is None:
        raise PageError(401, "not_authenticated", N_("Log in to see this page."))
    return user


class SecondFactorRequired(PageError):
    """A coordinator without a second factor: pages send them to set it up, the API says so."""

    location = SECOND_FACTOR_PAGE

    def __init__(self) -> None:
        super().__init__(
            403,
            "second_factor_required",
            N_(
                "Coordinators need two-step verification. Turn it on first on your account "
                "page: %(page)s."
            ),
            page=SECOND_FACTOR_PAGE,
        )


def require_password_login(request: Request) -> None:
    """A 403 when password login is off (WERKPLAATS_PASSWORD_LOGIN=off): a password set or
    reset here could never log in."""
    settings = request.app.state.settings
    if not settings.password_login:
        raise PageError(
            403,
            "password_login_off",
            N_("Logging in with a password is switched off here. Log in with %(name)s."),
            name=settings.oidc_name,
        )


def require_role(request: Request, *roles: Role) -> User:
    """The logged-in user if they have one of these roles; otherwise 401 or 403.

    The one check for coordinator-only pages and endpoints: a coordinator's role is in force
    only with a second factor (User.roles), and one without it is sent to set it up."""
    user = require_user(request)
    if not user.has_role(*roles):
        if not user.granted_roles.isdisjoint(roles):
            raise SecondFactorRequired()
        raise PageError(403, "forbidden", N_("Your account does not have the role for this."))
    return user
