"""A refusal shows nothing of the session: not its title, which may hold a name (issue 14,
"Refusal pages leak titles"). Checked for everyone who may be refused a session's pages: an
anonymous visitor, another facilitator, an educator, an observer and a removed participant."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from sessions import events as ev
from tests.helpers import log_in, make_user
from tests.sessions.harvest import GOALS, begin, participant_of, session_row, submit_events
from tests.sessions.pages import facilitator, join, new_session, other_client

TITLE = "Intervisie over Zwaantje Brinkhorst-Oudeman"
PARTS = ("Zwaantje", "Brinkhorst")


def _shows_nothing(response: httpx.Response, where: str) -> None:
    assert response.status_code in (303, 401, 403, 404, 409), (where, response.status_code)
    assert "formulier is verlopen" not in response.text, where  # the page itself refused
    for part in PARTS:
        assert part not in response.text, (where, response.status_code)


async def _token(client: httpx.AsyncClient) -> str:
    """This browser's CSRF token (the cookie's value, which its forms carry)."""
    await client.get("/")
    return str(client.cookies["werkplaats_csrf"])


async def _tried(client: httpx.AsyncClient, public_id: str, who: str) -> None:
    """Every page of the session, read and posted to (with this browser's CSRF token)."""
    token = await _token(client)
    for path in (
        f"/s/{public_id}/oogst",
        f"/sessies/{public_id}",
        f"/sessies/{public_id}/scherm",
        f"/sessies/{public_id}/uitkomst",
    ):
        _shows_nothing(await client.get(path), f"{who} GET {path}")
        json = await client.get(path, headers={"accept": "application/json"})
        _shows_nothing(json, f"{who} GET {path} (JSON)")
        if path.endswith(("/oogst", "/uitkomst")):
            data = {"consent": "open", "summary": "x", "csrf_token": token}
            _shows_nothing(await client.post(path, data=data), f"{who} POST {path}")


async def test_refused_visitors_read_no_title(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    await facilitator(client, db)
    public_id, code = await new_session(client, query=GOALS, title=TITLE)
    await begin(app, db, public_id)
    await make_user(db, email="greet@example.org", roles=["facilitator"], name="Greet")
    await make_user(db, email="eva@example.org", roles=["educator"], name="Eva")
    async with (
        other_client(app) as anonymous,
        other_client(app) as greet,
        other_client(app) as eva,
        other_client(app) as olaf,
        other_client(app) as rik,
    ):
        await log_in(greet, "greet@example.org")
        await log_in(eva, "eva@example.org")
        for person, name in ((olaf, "Olaf"), (rik, "Rik")):
            assert (await join(person, code, name)).status_code == 303
        await submit_events(
            app,
            db,
            public_id,
            ev.RoleChanged(participant_of(app, olaf, public_id), "observer"),
            ev.ParticipantRemoved(participant_of(app, rik, public_id)),
        )
        for who, visitor in (
            ("anonymous", anonymous),
            ("another facilitator", greet),
            ("an educator", eva),
        ):
            await _tried(visitor, public_id, who)
        # Participants refused the harvest (an observer, one who was removed) see no title either.
        for who, participant in (("an observer", olaf), ("a removed participant", rik)):
            page = await participant.get(f"/s/{public_id}/oogst")
            _shows_nothing(page, f"{who} GET harvest")
            data = {"consent": "open", "csrf_token": await _token(participant)}
            posted = await participant.post(f"/s/{public_id}/oogst", data=data)
            _shows_nothing(posted, f"{who} POST harvest")
    # The facilitator who started it still sees the title on every page.
    row = await session_row(db, public_id)
    assert row.title == TITLE
    for path in (f"/sessies/{public_id}", f"/sessies/{public_id}/uitkomst"):
        assert PARTS[0] in (await client.get(path)).text, path
