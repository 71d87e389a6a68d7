"""Every form refuses a request without this site's CSRF token, and changes nothing."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import accounts
from tests.helpers import PASSWORD, csrf_token, log_in, make_user


async def _user_count(db: async_sessionmaker[AsyncSession]) -> int:
    async with db() as session:
        return len(await accounts.list_users(session))


async def test_a_form_without_token_is_refused(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db)
    await client.get("/login")
    response = await client.post(
        "/login", data={"email": "fenna@example.org", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "Dit formulier is verlopen" in response.text
    assert "werkplaats_session" not in response.headers.get("set-cookie", "")


async def test_a_token_from_another_browser_is_refused(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], app: object
) -> None:
    await make_user(db)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        foreign = await csrf_token(other)
    await client.get("/login")
    response = await client.post(
        "/login", data={"email": "fenna@example.org", "password": PASSWORD, "csrf_token": foreign}
    )
    assert response.status_code == 403


async def test_a_coordinator_form_without_token_creates_nothing(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db, email="carla@example.org", roles=["coordinator"])
    await log_in(client, "carla@example.org")
    before = await _user_count(db)
    response = await client.post(
        "/beheer/accounts",
        data={
            "email": "new@example.org",
            "name": "Nieuw",
            "password": PASSWORD,
            "roles": "educator",
        },
        headers={"accept": "application/json"},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert await _user_count(db) == before


async def test_a_post_from_a_foreign_origin_is_refused(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db)
    token = await csrf_token(client)
    response = await client.post(
        "/login",
        data={"email": "fenna@example.org", "password": PASSWORD, "csrf_token": token},
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert "andere website" in response.text


async def test_the_token_may_come_in_a_header(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db)
    await log_in(client, "fenna@example.org")
    response = await client.post("/logout", headers={"x-csrf-token": await csrf_token(client, "/")})
    assert response.status_code == 303
    assert (await client.get("/api/me")).status_code == 401


async def test_a_form_route_does_not_take_a_json_body_in_place_of_its_token(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    """Only the JSON API (/api/…) goes without the token; a form's route, whose handler needs
    no body, is not changed by a JSON post (a browser extension, an old plug-in or a proxy that
    sends one cross-site would otherwise need only the login cookie)."""
    await make_user(db, email="carla@example.org", roles=["coordinator"])
    await log_in(client, "carla@example.org")
    response = await client.post(
        "/logout",
        content=b"{}",
        headers={"content-type": "application/json", "accept": "application/json"},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert (await client.get("/account")).status_code == 200  # still logged in
