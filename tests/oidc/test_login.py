"""Logging in with the institution (server/oidc.py, server/oidc_pages.py) against a real OpenID
provider on loopback: the whole flow over HTTP, and each kind of untrustworthy answer refused."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from server.app import create_app
from server.models import AuditEntry, User
from server.oidc_pages import STATE_COOKIE
from tests.helpers import PASSWORD, log_in, make_user, submit
from tests.oidc.conftest import SITE, oidc_settings
from tests.oidc.peer import Provider
from tests.ports import free_port

_FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')
_ABORT_LINK = re.compile(r'<a href="([^"]+/abort)"')


@pytest.fixture
async def browser_at_provider() -> AsyncIterator[httpx.AsyncClient]:
    """The person's browser as the provider sees it (the app's `client` is the same person)."""
    async with httpx.AsyncClient(timeout=10) as browser:
        yield browser


async def through_provider(
    client: httpx.AsyncClient,
    at_provider: httpx.AsyncClient,
    email: str,
    next_page: str = "/account",
    *,
    cancel: bool = False,
) -> str:
    """Press the institution's button and log in at the provider as `email`; the address the
    provider sends the browser back to (our callback, not yet visited)."""
    response = await client.get(f"/login/oidc?next={next_page}")
    assert response.status_code == 303, response.text
    url = response.headers["location"]
    for _ in range(20):
        if url.startswith(SITE):
            return url
        response = await at_provider.get(url)
        if not response.is_redirect and cancel:
            abort = _ABORT_LINK.search(response.text)
            assert abort, response.text
            response = await at_provider.get(urljoin(url, abort.group(1)))
        elif not response.is_redirect:
            action = _FORM_ACTION.search(response.text)
            assert action, response.text
            if 'name="login"' in response.text:
                data = {"prompt": "login", "login": email, "password": "anything"}
            else:
                data = {"prompt": "consent"}
            response = await at_provider.post(urljoin(url, action.group(1)), data=data)
        assert response.is_redirect, response.text
        url = urljoin(url, response.headers["location"])
    raise AssertionError("the provider never sent the browser back")


async def callback(client: httpx.AsyncClient, url: str) -> httpx.Response:
    return await client.get(url.removeprefix(SITE))


async def audit_actions(db: async_sessionmaker[AsyncSession]) -> list[str]:
    async with db() as session:
        return list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


async def test_the_login_page_offers_the_institution(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    assert 'id="login-oidc"' in page.text
    assert "Inloggen met SURFconext" in page.text
    assert 'name="password"' in page.text  # password login stays on unless switched off


async def test_a_new_person_gets_an_account_without_roles(
    client: httpx.AsyncClient,
    browser_at_provider: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
) -> None:
    url = await through_provider(client, browser_at_provider, "Nieuw.Iemand@Hogeschool.example")
    response = await callback(client, url)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/account"
    account = await client.get("/account")
    assert account.status_code == 200
    assert "nieuw.iemand@hogeschool.example" in account.text
    assert "Naam van Nieuw.Iemand" in account.text
    assert "Nog geen: een coördinator van deze Werkplaats geeft je de rollen" in account.text
    async with db() as session:
        user = await session.scalar(
            select(User).where(User.email == "nieuw.iemand@hogeschool.example")
        )
    assert user is not None and user.granted_roles == frozenset()
    assert await audit_actions(db) == ["account.created_oidc", "login.oidc"]


async def test_an_existing_account_is_found_by_its_address(
    client: httpx.AsyncClient,
    browser_at_provider: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await make_user(db, email="fenna@example.org", roles=["facilitator"])
    url = await through_provider(client, browser_at_provider, "Fenna@Example.org")
    assert (await callback(client, url)).status_code == 303
    account = await client.get("/account")
    assert "Fenna de Vries" in account.text and "Begeleider" in account.text
    async with db() as session:
        assert len(list(await session.scalars(select(User)))) == 1
    assert await audit_actions(db) == ["login.oidc"]


async def test_a_coordinator_still_gives_the_second_step(
    client: httpx.AsyncClient,
    browser_at_provider: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await make_user(db, email="coco@example.org", roles=["coordinator"])
    url = await through_provider(
        client, browser_at_provider, "coco@example.org", "/beheer/accounts"
    )
    response = await callback(client, url)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login/code")
    assert "werkplaats_session" not in response.cookies
    # Not logged in yet: the coordinator pages still ask for a login.
    assert (await client.get("/beheer/accounts")).status_code in (303, 401)


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("forged_signature", "forged signature"),
        ("unknown_key", "unknown key"),  # read the keys again (rotation), still unknown
        ("wrong_audience", "wrong aud"),
        ("expired", "expired"),
        ("no_nonce", "no nonce"),
    ],
)
async def test_an_untrustworthy_id_token_logs_nobody_in(
    client: httpx.AsyncClient,
    browser_at_provider: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    provider: Provider,
    mode: str,
    reason: str,
) -> None:
    url = await through_provider(client, browser_at_provider, "iemand@hogeschool.example")
    provider.tamper.mode = mode
    response = await callback(client, url)
    assert response.status_code == 401
    assert 'data-code="oidc_invalid_token"' in response.text
    assert "Het antwoord van de inlogdienst is niet te vertrouwen" in response.text
    assert reason in response.text
    assert "werkplaats_session" not in response.cookies
    assert (await client.get("/account")).status_code in (303, 401)
    async with db() as session:
        assert list(await session.scalars(select(User))) == []
    assert await audit_actions(db) == []


async def test_a_replayed_state_is_refused(
    client: httpx.AsyncClient,
    browser_at_provider: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
) -> None:
    url = await through_provider(client, browser_at_provider, "iemand@hogeschool.example")
    state_cookie = client.cookies[STATE_COOKIE]
    assert (await callback(client, url)).status_code == 303
    await client.post("/logout", headers={"origin": SITE})
    client.cookies.clear()
    # The same answer again, with the same state cookie (copied, as an attacker would).
    client.cookies.set(STATE_COOKIE, state_cookie, path="/login/oidc")
    again = await callback(client, url)
    assert again.status_code == 401
    assert 'data-code="oidc_state"' in again.text
    assert "Deze inlog is al gebruikt of duurde te lang" in again.text
    assert "werkplaats_session" not in again.cookies
    assert await audit_actions(db) == ["account.created_oidc", "login.oidc"]


async def test_an_answer_for_another_browser_is_refused(
    client: httpx.AsyncClient, browser_at_provider: httpx.AsyncClient
) -> None:
    url = await through_provider(client, browser_at_provider, "iemand@hogeschool.example")
    client.cookies.clear()  # another browser: it did not begin this login
    response = await callback(client, url)
    assert response.status_code == 401
    assert 'data-code="oidc_state"' in response.text


async def test_cancelling_at_the_institution_logs_nobody_in(
    client: httpx.AsyncClient,
    browser_at_provider: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
) -> None:
    url = await through_provider(client, browser_at_provider, "iemand@example.org", cancel=True)
    response = await callback(client, url)
    assert response.status_code == 401
    assert "Je instelling heeft je niet ingelogd (access_denied). Begin opnieuw." in response.text
    assert "werkplaats_session" not in response.cookies
    assert await audit_actions(db) == []


async def test_an_unverified_address_is_refused(
    client: httpx.AsyncClient,
    browser_at_provider: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
) -> None:
    url = await through_provider(client, browser_at_provider, "unverified@hogeschool.example")
    response = await callback(client, url)
    assert response.status_code == 401
    assert 'data-code="oidc_email_unverified"' in response.text
    async with db() as session:
        assert list(await session.scalars(select(User))) == []


async def test_password_login_can_be_switched_off(
    database_url: str,
    tmp_path: Path,
    provider: Provider,
    engine: AsyncEngine,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await make_user(db, email="fenna@example.org")
    settings = oidc_settings(database_url, tmp_path, provider.issuer, password_login=False)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=SITE) as client:
            page = await client.get("/login")
            assert 'id="login-oidc"' in page.text
            assert 'name="password"' not in page.text
            token = client.cookies["werkplaats_csrf"]  # set by the login page
            refused = await client.post(
                "/login",
                data={"email": "fenna@example.org", "password": PASSWORD, "csrf_token": token},
            )
            assert refused.status_code == 403
            assert "Inloggen met een wachtwoord staat hier uit. Log in met SURFconext." in (
                refused.text
            )
            assert "werkplaats_session" not in refused.cookies
            assert (await client.get("/account")).status_code in (303, 401)
            # A reset link would give a password of no use: those pages say so too.
            forgot = await client.get("/wachtwoord/vergeten")
            assert forgot.status_code == 403
            assert "Inloggen met een wachtwoord staat hier uit" in forgot.text


async def test_a_coordinator_grants_the_new_account_its_roles(
    client: httpx.AsyncClient,
    browser_at_provider: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    app: Starlette,
) -> None:
    url = await through_provider(client, browser_at_provider, "nieuw@hogeschool.example")
    assert (await callback(client, url)).status_code == 303
    await make_user(db, email="coco@example.org", roles=["coordinator"])
    async with db() as session:
        new = await session.scalar(select(User).where(User.email == "nieuw@hogeschool.example"))
    assert new is not None
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=SITE) as coordinator:
        await log_in(coordinator, "coco@example.org")
        listing = await coordinator.get("/beheer/accounts")
        assert "vraagt om een rol" in listing.text
        action = f"/beheer/accounts/{new.id}/rollen"
        none = await submit(coordinator, "/beheer/accounts", action, {"roles": []})
        assert none.status_code == 422
        assert "Kies minstens één rol" in none.text
        granted = await submit(coordinator, "/beheer/accounts", action, {"roles": ["facilitator"]})
        assert granted.status_code == 303
        assert "vraagt om een rol" not in (await coordinator.get("/beheer/accounts")).text
    account = await client.get("/account")
    assert "Begeleider" in account.text
    assert "Nog geen" not in account.text
    assert (await audit_actions(db))[-1] == "account.roles"


async def test_a_provider_that_cannot_be_reached_is_said_so(
    database_url: str, tmp_path: Path, engine: AsyncEngine
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    app = create_app(oidc_settings(database_url, tmp_path, closed))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=SITE) as client:
            response = await client.get("/login/oidc")
    assert response.status_code == 502
    assert "De inlogdienst van je instelling is niet bereikbaar (discovery)" in response.text


async def test_a_code_the_provider_did_not_give_is_refused(
    client: httpx.AsyncClient,
    browser_at_provider: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
) -> None:
    url = await through_provider(client, browser_at_provider, "iemand@hogeschool.example")
    forged = re.sub(r"code=[^&]+", "code=made-up", url)
    response = await callback(client, forged)
    assert response.status_code == 401
    assert 'data-code="oidc_token"' in response.text
    assert "De inlogdienst heeft deze inlog geweigerd (invalid_grant). Begin opnieuw." in (
        response.text
    )
    assert "werkplaats_session" not in response.cookies
    assert await audit_actions(db) == []
