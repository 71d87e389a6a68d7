"""Pages check the role of the account; coordinators manage accounts."""

from __future__ import annotations

from html import unescape

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import accounts
from tests.helpers import PASSWORD, log_in, make_user, submit


async def test_anonymous_visitors_are_sent_to_log_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/beheer/accounts")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


async def test_a_facilitator_may_not_manage_accounts(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db, roles=["facilitator", "educator"])
    await log_in(client, "fenna@example.org")
    page = await client.get("/beheer/accounts")
    assert page.status_code == 403
    assert "Je account heeft niet de rol die hiervoor nodig is." in page.text
    token = client.cookies["werkplaats_csrf"]
    post = await client.post(
        "/beheer/accounts",
        data={
            "csrf_token": token,
            "email": "x@example.org",
            "name": "X",
            "password": PASSWORD,
            "roles": "coordinator",
        },
    )
    assert post.status_code == 403
    async with db() as session:
        assert [u.email for u in await accounts.list_users(session)] == ["fenna@example.org"]


async def test_a_coordinator_creates_an_account_that_can_log_in(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], app: object
) -> None:
    await make_user(db, email="carla@example.org", roles=["coordinator"])
    await log_in(client, "carla@example.org")
    response = await submit(
        client,
        "/beheer/accounts",
        "/beheer/accounts",
        {
            "email": "erik@example.org",
            "name": "Erik <b>Docent</b>",
            "password": PASSWORD,
            "roles": ["educator", "facilitator"],
        },
    )
    assert response.status_code == 303
    listing = await client.get("/beheer/accounts")
    assert "Erik &lt;b&gt;Docent&lt;/b&gt;" in listing.text  # user text is shown as text
    assert "<b>Docent</b>" not in listing.text
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as erik:
        assert (await log_in(erik, "erik@example.org")).status_code == 303
        assert (await erik.get("/api/me")).json()["roles"] == ["educator", "facilitator"]


async def test_a_wrong_account_form_names_the_field_and_keeps_the_input(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db, email="carla@example.org", roles=["coordinator"])
    await log_in(client, "carla@example.org")
    cases = [
        ({"email": "not-an-email", "roles": ["educator"]}, "is geen e-mailadres"),
        ({"email": "ok@example.org", "roles": ["admin"]}, "Onbekende rol 'admin'"),
        ({"email": "ok@example.org", "roles": []}, "Kies minstens één rol"),
        ({"email": "ok@example.org", "roles": ["educator"], "password": "short"}, "minstens 10"),
        ({"email": "carla@example.org", "roles": ["educator"]}, "Er is al een account"),
    ]
    for change, message in cases:
        data = {"name": "Anna", "password": PASSWORD, **change}
        response = await submit(client, "/beheer/accounts", "/beheer/accounts", data)
        assert response.status_code == 422, message
        assert message in unescape(response.text)
        assert 'value="Anna"' in response.text
    async with db() as session:
        assert [u.email for u in await accounts.list_users(session)] == ["carla@example.org"]
