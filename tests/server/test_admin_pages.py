"""Coordinator pages for privacy: erasing a person (`/beheer/wissen`) and the audit log."""

from __future__ import annotations

import datetime as dt
from html import unescape

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from server.audit import record
from server.erasure import ERASED_MENTION, ERASED_NAME
from server.models import AuditEntry
from sessions.engine import SessionEngine
from sessions.models import LiveSession
from tests.helpers import csrf_token, log_in, make_user


async def _coordinator(client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]) -> None:
    await make_user(db, email="carla@example.org", roles=["coordinator"], name="Carla Coördinator")
    await log_in(client, "carla@example.org")


async def test_only_coordinators_see_the_pages(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    for page in ("/beheer/wissen", "/beheer/audit"):
        response = await client.get(page)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    await make_user(db, roles=["facilitator", "educator"])
    await log_in(client, "fenna@example.org")
    home = await client.get("/")
    assert "/beheer/wissen" not in home.text and "/beheer/audit" not in home.text
    for page in ("/beheer/wissen", "/beheer/audit"):
        assert (await client.get(page)).status_code == 403
    token = client.cookies["werkplaats_csrf"]
    post = await client.post(
        "/beheer/wissen",
        data={"csrf_token": token, "op": "erase", "kind": "name", "q": "Fenna de Vries"},
    )
    assert post.status_code == 403
    async with db() as session:
        assert not list(await session.scalars(select(AuditEntry)))


async def test_the_audit_log_pages_newest_first_and_filters(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await _coordinator(client, db)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    async with db() as session:
        for number in range(120):
            record(
                session,
                "erase" if number % 3 == 0 else "export",
                f"outcome:o{number}",
                actor="cli",
                detail=f"rows {number}",
            )
        await session.flush()
        for entry in await session.scalars(select(AuditEntry)):
            entry.at = start + dt.timedelta(minutes=int(entry.target[9:]))
        await session.commit()
    home = await client.get("/")
    assert 'href="/beheer/wissen"' in home.text and 'href="/beheer/audit"' in home.text
    first = await client.get("/beheer/audit")
    assert first.status_code == 200
    assert first.text.count("<tr>") == 1 + 50
    assert first.text.index("outcome:o119<") < first.text.index("outcome:o118<")
    assert "Pagina 1 van 3" in first.text and 'rel="next" href="/beheer/audit?page=2"' in first.text
    last = await client.get("/beheer/audit", params={"page": "3"})
    assert last.text.count("<tr>") == 1 + 20 and "outcome:o0<" in last.text
    erasures = await client.get("/beheer/audit", params={"action": "erase"})
    assert (
        erasures.text.count("<tr>") == 1 + 40 and "export" not in erasures.text.split("<table")[1]
    )
    for params, message in (
        ({"action": "nonsense"}, "Onbekende actie 'nonsense'"),
        ({"page": "0"}, "De pagina moet een heel getal zijn van 1 tot"),
        ({"page": "x"}, "De pagina moet een heel getal zijn van 1 tot"),
    ):
        bad = await client.get("/beheer/audit", params=params)
        assert bad.status_code == 400 and message in unescape(bad.text)


@pytest.mark.parametrize(
    ("kind", "q", "message"),
    [
        ("name", "Z", "Een naam om te wissen heeft 2 tot 120 tekens"),
        ("name", "   ", "Een naam om te wissen heeft 2 tot 120 tekens"),
        ("participant", "zonder-dubbele-punt", "SESSIE:DEELNEMER"),
        ("participant", "onbekend:p1", "Er is geen sessie onbekend."),
        ("account", "geen adres", "is geen e-mailadres"),
        ("account", "carla@example.org", "Je kunt je eigen account hier niet wissen"),
        ("bogus", "x", "Onbekende manier van zoeken 'bogus'"),
    ],
)
async def test_the_erase_page_explains_what_it_cannot_do(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    kind: str,
    q: str,
    message: str,
) -> None:
    await _coordinator(client, db)
    token = await csrf_token(client, "/beheer/wissen")
    response = await client.post(
        "/beheer/wissen", data={"csrf_token": token, "op": "preview", "kind": kind, "q": q}
    )
    assert response.status_code == 422
    assert message in unescape(response.text) and 'role="alert"' in response.text
    without_token = await client.post(
        "/beheer/wissen", data={"op": "erase", "kind": "name", "q": "Carla Coördinator"}
    )
    assert without_token.status_code == 403
    async with db() as session:
        assert not list(await session.scalars(select(AuditEntry)))


async def test_the_page_erases_and_the_running_engine_forgets(
    app: Starlette, client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db, email="fa@example.org", roles=["facilitator"], name="Fenna")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as fa:
        await log_in(fa, "fa@example.org")
        created = (
            await fa.post("/api/sessions", json={"title": "Casus van Quirijn Kwakkelstein"})
        ).json()
        joined = await fa.post(
            f"/api/sessions/{created['join_code']}/join", json={"name": "Quirijn Kwakkelstein"}
        )
        assert joined.status_code == 201, joined.text
    engine: SessionEngine = app.state.session_engine
    async with db() as session:
        session_id = await session.scalar(
            select(LiveSession.id).where(LiveSession.public_id == created["session"])
        )
    assert session_id is not None
    participant = joined.json()["participant"]
    assert (await engine.state(session_id)).people[participant].name == "Quirijn Kwakkelstein"

    await _coordinator(client, db)
    token = await csrf_token(client, "/beheer/wissen")
    fields = {"csrf_token": token, "kind": "name", "q": "QUIRIJN kwakkelstein"}
    preview = await client.post("/beheer/wissen", data={**fields, "op": "preview"})
    assert preview.status_code == 200 and created["session"] in preview.text
    assert (await engine.state(session_id)).people[participant].name == "Quirijn Kwakkelstein"
    done = await client.post("/beheer/wissen", data={**fields, "op": "erase"})
    assert done.status_code == 200 and "Klaar." in done.text
    state = await engine.state(session_id)
    assert state.people[participant].name == ERASED_NAME
    assert state.title == f"Casus van {ERASED_MENTION}"
    async with db() as session:
        row = await session.get(LiveSession, session_id)
        assert row is not None and row.title == f"Casus van {ERASED_MENTION}"
        [entry] = await session.scalars(select(AuditEntry))
    assert entry.actor.startswith("account:") and entry.actor_id is not None
    assert entry.target == f"session:{created['session']}/{participant}"
    audit = await client.get("/beheer/audit")
    assert entry.target in audit.text and "Carla Coördinator" in audit.text


async def test_the_page_erases_even_when_the_journal_fails_and_says_so(
    app: Starlette, client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db, email="fa@example.org", roles=["facilitator"], name="Fenna")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as fa:
        await log_in(fa, "fa@example.org")
        created = (await fa.post("/api/sessions", json={"title": "Intervisie"})).json()
        joined = await fa.post(
            f"/api/sessions/{created['join_code']}/join", json={"name": "Ottoline Vlasbloem"}
        )
        assert joined.status_code == 201, joined.text
    journal = app.state.settings.data_dir / "erasures.log"
    journal.mkdir(parents=True)  # no file can be written there

    await _coordinator(client, db)
    token = await csrf_token(client, "/beheer/wissen")
    fields = {"csrf_token": token, "kind": "name", "q": "Ottoline Vlasbloem", "op": "erase"}
    done = await client.post("/beheer/wissen", data=fields)
    assert done.status_code == 200 and "Klaar." in done.text
    assert "niet in het wislogboek (erasures.log)" in unescape(done.text)
    async with db() as session:
        [entry] = await session.scalars(select(AuditEntry).where(AuditEntry.action == "erase"))
    assert entry.target == f"session:{created['session']}/{joined.json()['participant']}"
