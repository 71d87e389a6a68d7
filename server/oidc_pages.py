"""Pages of the institution's login over OpenID Connect: the button's start and the provider's
answer (server/oidc.py has the protocol, docs/accounts.md the rules)."""

from __future__ import annotations

import hmac

from itsdangerous import BadSignature, TimestampSigner
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from server import accounts, audit
from server.account_invitations import actions as invitations
from server.accounts import AccountError
from server.cookies import set_private_cookie
from server.errors import PageError
from server.forms import safe_next
from server.i18n import N_
from server.oidc import CALLBACK_PATH, LOGIN_TIME, OidcClient, OidcError, state_refused
from server.pages import complete_login, login_refused, start_login
from server.templating import language_of, render, translator_for

# Binds a begun login to the browser that began it: someone else's answer is refused.
STATE_COOKIE = "werkplaats_oidc"
_COOKIE_PATH = "/login/oidc"
# A login begun from an account invitation's page keeps, server side in its state row, the hash
# of the invitation's token where a next page would be (no next page starts like this).
INVITATION_MARK = "invitation:"


def _signer(secret_key: str) -> TimestampSigner:
    return TimestampSigner(secret_key, salt="werkplaats.oidc-state")


def _client(request: Request) -> OidcClient:
    client: OidcClient | None = request.app.state.oidc
    if client is None:
        raise PageError(
            404, "oidc_off", N_("Logging in with an institution is not switched on here.")
        )
    return client


def _refused(request: Request, error: OidcError, next_page: str = "/") -> Response:
    _ = translator_for(request)
    status = 502 if error.code == "oidc_unreachable" else 401
    response = login_refused(
        request, error.code, _(error.message) % error.params, next_page, status_code=status
    )
    response.delete_cookie(STATE_COOKIE, path=_COOKIE_PATH, httponly=True, samesite="lax")
    return response


async def begin(request: Request) -> Response:
    """Send the browser to the provider, with a fresh state, nonce and PKCE challenge."""
    client = _client(request)
    next_page = safe_next(request.query_params.get("next"))
    return await _to_provider(request, client, next_page, next_page)


async def begin_invitation(request: Request) -> Response:
    """Accept an account invitation by logging in at the institution: the invitation's token
    hash waits in the state row; the provider sees only the state."""
    client = _client(request)
    token = request.path_params["token"]
    async with request.app.state.db() as db:
        try:
            invitation = await invitations.check_link(db, token)
        except AccountError as error:
            return _invitation_refused(request, error, 410)
    return await _to_provider(request, client, INVITATION_MARK + invitation.token_hash, "/")


def _invitation_refused(request: Request, error: AccountError, status_code: int) -> Response:
    _ = translator_for(request)
    response = render(
        request,
        "invitation/link.html",
        {"error": _(error.message) % error.params, "error_code": error.code},
        status_code=status_code,
    )
    response.delete_cookie(STATE_COOKIE, path=_COOKIE_PATH, httponly=True, samesite="lax")
    return response


async def _to_provider(request: Request, client: OidcClient, kept: str, next_page: str) -> Response:
    try:
        async with request.app.state.db() as db:
            url, state = await client.begin(db, kept)
    except OidcError as error:
        return _refused(request, error, next_page)
    response = RedirectResponse(url, status_code=303)
    # Lax (as every private cookie): the provider's redirect back is a top-level GET.
    set_private_cookie(
        request,
        response,
        STATE_COOKIE,
        _signer(request.app.state.settings.secret_key).sign(state).decode(),
        int(LOGIN_TIME.total_seconds()),
        path=_COOKIE_PATH,
    )
    return response


def _browser_state(request: Request) -> str | None:
    raw = request.cookies.get(STATE_COOKIE)
    if not raw:
        return None
    try:
        signer = _signer(request.app.state.settings.secret_key)
        return signer.unsign(raw, max_age=int(LOGIN_TIME.total_seconds())).decode()
    except BadSignature:
        return None


async def callback(request: Request) -> Response:
    """The provider's answer: check it, then log in (or ask for the second factor)."""
    client = _client(request)
    settings = request.app.state.settings
    params = request.query_params
    state = params.get("state", "")
    expected = _browser_state(request)
    if not state or expected is None or not hmac.compare_digest(state, expected):
        return _refused(request, state_refused())
    try:
        async with request.app.state.db() as db:
            begun = await client.use_state(db, state)
        invitation = begun.next_page.removeprefix(INVITATION_MARK)
        if invitation == begun.next_page:
            invitation = ""
        next_page = "/account" if invitation else safe_next(begun.next_page)
        if params.get("error"):
            raise OidcError(
                "oidc_refused",
                N_("Your institution did not log you in (%(error)s). Start again."),
                error=params["error"][:80],
            )
        identity = await client.finish(begun, params.get("code", "")[:2000])
    except OidcError as error:
        return _refused(request, error)
    if invitation:
        return await _accept_invitation(request, invitation, identity.email, identity.name)
    try:
        async with request.app.state.db() as db:
            user, created = await accounts.account_for_institution_login(
                db, email=identity.email, name=identity.name, language=language_of(request)
            )
            if created:
                audit.record(
                    db,
                    "account.created_oidc",
                    f"account:{user.id}",
                    actor=f"account:{user.id}",
                    actor_id=user.id,
                )
            audit.record(
                db, "login.oidc", f"account:{user.id}", actor=f"account:{user.id}", actor_id=user.id
            )
            await db.commit()
            token, pending = await start_login(db, user, settings.session_days)
    except AccountError as error:
        return _refused(request, OidcError(error.code, error.message, **error.params))
    response = await complete_login(request, user, next_page, token, pending)
    response.delete_cookie(STATE_COOKIE, path=_COOKIE_PATH, httponly=True, samesite="lax")
    return response


async def _accept_invitation(request: Request, token_hash: str, email: str, name: str) -> Response:
    """The institution vouched for this address: make the invited account, then log in."""
    settings = request.app.state.settings
    try:
        async with request.app.state.db() as db:
            user = await invitations.accept_with_institution(
                db,
                token_hash=token_hash,
                email=email,
                name=name,
                language=language_of(request),
            )
            audit.record(
                db, "login.oidc", f"account:{user.id}", actor=f"account:{user.id}", actor_id=user.id
            )
            await db.commit()
            token, pending = await start_login(db, user, settings.session_days)
    except AccountError as error:
        status = 410 if error.code in ("link_used", "link_expired") else 403
        return _invitation_refused(request, error, status)
    response = await complete_login(request, user, "/account", token, pending)
    response.delete_cookie(STATE_COOKIE, path=_COOKIE_PATH, httponly=True, samesite="lax")
    return response


routes: list[BaseRoute] = [
    Route("/login/oidc", begin, methods=["GET"], name="login_oidc"),
    Route(CALLBACK_PATH, callback, methods=["GET"], name="login_oidc_callback"),
    Route("/uitnodiging/{token}/instelling", begin_invitation, methods=["GET"]),
]
