"""Join codes cannot be guessed (issue 14, "Guessable join codes"): after 20 wrong codes in ten
minutes from one client address, every join from that address is refused with 429 — on the
page and over the API, a right code too — across server processes (the count is in the
database), while another address joins as before."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from server.app import create_app
from server.settings import Settings
from tests.sessions.pages import facilitator, join, new_session

LIMIT = 20


def _browser(app: Starlette, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def _wrong(code: str, i: int) -> str:
    wrong = f"QX{i:04d}"
    assert wrong != code
    return wrong


async def test_wrong_codes_are_limited_per_client_address(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
    settings: Settings,
) -> None:
    assert settings.join_failures_per_client == LIMIT
    await facilitator(client, db)
    _public_id, code = await new_session(client)

    async with _browser(app, "203.0.113.7") as guesser, _browser(app, "198.51.100.2") as other:
        # Wrong codes up to the limit: each an ordinary "no session with this code".
        for i in range(LIMIT // 2):
            page = await guesser.get("/join", params={"code": _wrong(code, i)})
            assert page.status_code == 404, i
            posted = await join(guesser, _wrong(code, 100 + i), "Gok")
            assert posted.status_code == 404, i

        # The 21st wrong code, and a right one, are refused: on the page ...
        page = await guesser.get("/join", params={"code": _wrong(code, 999)})
        assert page.status_code == 429
        assert "Te veel verkeerde codes" in page.text
        assert "min. opnieuw" in page.text
        assert int(page.headers["retry-after"]) > 0
        right = await join(guesser, code, "Gok")
        assert right.status_code == 429
        assert "Te veel verkeerde codes" in right.text
        assert (await guesser.get("/join", params={"code": code})).status_code == 429

        # ... and over the API, with a stable code and Retry-After.
        api = await guesser.post(f"/api/sessions/{code}/join", json={"name": "Gok"})
        assert api.status_code == 429
        assert api.json()["code"] == "too_many_attempts"
        assert 0 < int(api.headers["retry-after"]) <= 600

        # Another address is not affected.
        assert (await other.get("/join", params={"code": _wrong(code, 5000)})).status_code == 404
        joined = await join(other, code, "Anna")
        assert joined.status_code == 303, joined.text
        api = await other.post(f"/api/sessions/{code}/join", json={"name": "Bram"})
        assert api.status_code == 201, api.text

    # Another server process on the same database counts the same wrong codes.
    second = create_app(settings)
    async with second.router.lifespan_context(second):
        async with _browser(second, "203.0.113.7") as guesser:
            api = await guesser.post(f"/api/sessions/{code}/join", json={"name": "Gok"})
            assert api.status_code == 429
            assert (await guesser.get("/join", params={"code": code})).status_code == 429


async def test_wrong_codes_over_the_api_count_too(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    await facilitator(client, db)
    _public_id, code = await new_session(client)
    async with _browser(app, "203.0.113.9") as guesser:
        for i in range(LIMIT):
            api = await guesser.post(f"/api/sessions/{_wrong(code, i)}/join", json={"name": "G"})
            assert api.status_code == 404, i
        api = await guesser.post(f"/api/sessions/{code}/join", json={"name": "G"})
        assert api.status_code == 429
        assert api.json()["code"] == "too_many_attempts"
        page = await guesser.get("/join", params={"code": code})
        assert page.status_code == 429


async def test_the_limit_is_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/openapi.json")).json()
    responses = document["paths"]["/api/sessions/{code}/join"]["post"]["responses"]
    assert "too_many_attempts" in responses["429"]["description"]
    assert "Retry-After" in responses["429"]["headers"]
