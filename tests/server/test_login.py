"""Logging in and out, as a browser does it."""

from __future__ import annotations

from html import unescape

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth import COOKIE
from server.models import LoginSession
from tests.helpers import PASSWORD, log_in, make_user, submit


async def _logins(db: async_sessionmaker[AsyncSession]) -> int:
    async with db() as session:
        return int(await session.scalar(select(func.count()).select_from(LoginSession)) or 0)


async def test_login_sets_a_protected_cookie_and_shows_the_user(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db, email="fenna@example.org", name="Fenna de Vries")
    response = await log_in(client, "Fenna@Example.org ")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # served over plain http here
    home = await client.get("/")
    assert "Fenna de Vries" in home.text
    me = await client.get("/api/me")
    assert me.json() == {
        "email": "fenna@example.org",
        "name": "Fenna de Vries",
        "roles": ["facilitator"],
    }


async def test_cookie_is_secure_over_https(
    app: object, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        response = await log_in(client, "fenna@example.org")
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


async def test_login_returns_to_the_page_asked_for_but_never_to_another_site(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db)
    first = await client.get("/account")
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=%2Faccount"
    response = await submit(
        client,
        "/login?next=/account",
        "/login",
        {"email": "fenna@example.org", "password": PASSWORD, "next": "/account"},
    )
    assert response.headers["location"] == "/account"
    await client.post("/logout", data={"csrf_token": client.cookies["werkplaats_csrf"]})
    evil = await submit(
        client,
        "/login",
        "/login",
        {"email": "fenna@example.org", "password": PASSWORD, "next": "//evil.example/"},
    )
    assert evil.headers["location"] == "/"


async def test_wrong_password_and_unknown_user_get_the_same_clear_message(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db)
    wrong = await log_in(client, "fenna@example.org", "not the password")
    unknown = await log_in(client, "nobody@example.org", "not the password")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Het e-mailadres of het wachtwoord klopt niet." in response.text
        assert COOKIE not in response.headers.get("set-cookie", "")
    assert 'value="nobody@example.org"' in unknown.text  # what was typed is kept
    assert await _logins(db) == 0


async def test_failed_logins_are_bounded_per_minute(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db)
    for _ in range(5):
        assert (await log_in(client, "fenna@example.org", "guess guess")).status_code == 401
    refused = await log_in(client, "fenna@example.org")  # even the right password now waits
    assert refused.status_code == 429
    assert "Te veel mislukte pogingen" in refused.text
    assert await _logins(db) == 0


async def test_logout_ends_the_login_on_the_server(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db)
    await log_in(client, "fenna@example.org")
    stolen = client.cookies[COOKIE]
    assert await _logins(db) == 1
    response = await submit(client, "/", "/logout", {})
    assert response.status_code == 303
    assert await _logins(db) == 0
    assert (await client.get("/api/me")).status_code == 401
    # The old cookie, replayed, no longer logs anyone in.
    client.cookies.set(COOKIE, stolen)
    assert (await client.get("/api/me")).status_code == 401


async def test_a_forged_cookie_is_ignored(client: httpx.AsyncClient) -> None:
    client.cookies.set(COOKIE, "some-token.forgedsignature")
    response = await client.get("/api/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


async def test_a_malformed_login_form_gets_a_clear_error(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    response = await submit(
        client, "/login", "/login", {"email": "x" * 5000, "password": "whatever"}
    )
    assert response.status_code == 422
    assert "Het veld 'email' moet tekst zijn van hoogstens 2000 tekens." in unescape(response.text)
    assert await _logins(db) == 0


async def test_without_an_issuer_there_is_no_institution_login(client: httpx.AsyncClient) -> None:
    """WERKPLAATS_OIDC_ISSUER unset: no button, and its addresses say it is off."""
    page = await client.get("/login")
    assert 'id="login-oidc"' not in page.text
    for address in ("/login/oidc", "/login/oidc/callback?state=x&code=y"):
        response = await client.get(address)
        assert response.status_code == 404
        assert "Inloggen met een instelling staat hier niet aan." in response.text
