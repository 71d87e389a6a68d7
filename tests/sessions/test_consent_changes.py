"""A participant changes their consent after the outcome was composed (docs/outcomes.md,
"Consent changed later"), on SQLite and PostgreSQL.

One rule on every surface that shows the outcome beyond its group — the outcome page, the library
page and `GET /api/outcomes` (also a search for a word of the note), and a module's export:
narrowing or withdrawing counts at once; widening counts once the facilitator composes again.
The consent is changed the way the harvest page changes it
(`sessions.harvest.actions.save_response`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalogue.outcomes import actions as outcome_actions
from catalogue.outcomes import composition as outcome_composition
from sessions.harvest import actions as harvest_actions
from sessions.harvest import answers, queries
from sessions.models import LiveSession
from tests.helpers import log_in, make_user, submit

pytestmark = pytest.mark.usefixtures("seeded")

# Each participant's note has a word nobody else wrote, to search for.
NOTES = {
    "p1": "Ontbijtsessies met buurtbewoners werken goed",
    "p2": "Een klankbordgroep van mantelzorgers ontbreekt",
}
WORDS = {"p1": "ontbijtsessies", "p2": "klankbordgroep"}
NAMES = {"p1": "Anouk Terpstra", "p2": "Bram Oosterhuis"}
CAPTURED: dict[str, Any] = {
    "clusters": [
        {
            "title": "Buurt",
            "group": None,
            "votes": 0,
            "notes": [{"text": NOTES[p], "by": p, "votes": 0, "anonymous": False} for p in NOTES],
        }
    ],
    "unclustered": [],
    "round": {"order": [], "passed": []},
    "chart": None,
    "attendance": {"room": 0, "remote": 3, "total": 3},
    "takeaways": [],
}


class Outcome:
    """The session, its composed outcome and the facilitator's account."""

    def __init__(self, db: async_sessionmaker[AsyncSession], session_id: int, user_id: int):
        self.db, self.session_id, self.user_id = db, session_id, user_id
        self.public_id = ""

    async def consent(self, participant: str, level: str) -> None:
        """The participant answers the harvest again, with this consent."""
        async with self.db() as session:
            row = await session.get(LiveSession, self.session_id)
            assert row is not None
            answer = answers.Answer(consent=level)
            await harvest_actions.save_response(session, row, participant, answer)

    async def compose(self) -> None:
        """The facilitator composes (again), with the consents as they are now."""
        async with self.db() as session:
            consents = answers.consents(await queries.responses(session, self.session_id))
            facts = outcome_composition.SessionFacts(
                session_id=self.session_id,
                title="Intervisie buurtteam Oost",
                held_on=dt.datetime(2026, 12, 1, 14, tzinfo=dt.UTC),
                variant_slug="intervisie",
                region_slug="zwolle",
                theme_slug=None,
                goals=("reflecteren",),
            )
            composition = outcome_composition.Composition(
                summary="We bespraken de buurt.", insights="Samen leren werkt.", sharing="open"
            )
            row = await outcome_actions.save_outcome(
                session, facts, composition, CAPTURED, consents, {}, self.user_id, names=NAMES
            )
            self.public_id = row.public_id


@pytest.fixture
async def outcome(db: async_sessionmaker[AsyncSession]) -> Outcome:
    facilitator = await make_user(db)
    async with db() as session:
        row = LiveSession(
            public_id="pub-consent",
            join_code="CONSNT",
            title="Intervisie buurtteam Oost",
            variant_slug="intervisie",
            created_by=facilitator.id,
            last_seq=0,
        )
        session.add(row)
        await session.commit()
        made = Outcome(db, row.id, facilitator.id)
    await made.consent("p1", "open")
    await made.consent("p2", "no")
    await made.compose()
    return made


async def _module(client: httpx.AsyncClient, public_id: str) -> str:
    """An educator's module with the outcome as its case; its address."""
    response = await submit(
        client,
        "/modules/nieuw",
        "/modules/nieuw",
        {
            "title": "Buurtwerk",
            "audience": "hbo Social Work",
            "objectives": "Je kunt samenwerken in de buurt",
            "case-1-outcome": public_id,
            "case-1-note": "",
            "exercise-1-variant": "intervisie",
            "exercise-1-script": "",
            "reflection": "Wat neem je mee?",
            "note": "",
        },
    )
    assert response.status_code == 303, response.text
    return response.headers["location"].split("?")[0]


async def _shown(
    visitor: httpx.AsyncClient, educator: httpx.AsyncClient, outcome: Outcome, module: str
) -> dict[str, set[str]]:
    """Per surface, whose notes it shows now (a search: whose word finds the outcome)."""
    page = await visitor.get(f"/uitkomsten/{outcome.public_id}")
    assert page.status_code == 200
    export = await educator.get(f"{module}/export.json")
    assert export.status_code == 200
    shown: dict[str, set[str]] = {"page": set(), "export": set(), "api": set(), "library": set()}
    for participant, note in NOTES.items():
        if note in page.text:
            shown["page"].add(participant)
        if note in export.text:
            shown["export"].add(participant)
        api = await visitor.get("/api/outcomes", params={"q": WORDS[participant]})
        assert api.status_code == 200
        if [hit for hit in api.json()["outcomes"] if outcome.public_id in str(hit)]:
            shown["api"].add(participant)
        library = await visitor.get("/bibliotheek", params={"q": WORDS[participant]})
        assert library.status_code == 200
        if f"/uitkomsten/{outcome.public_id}" in library.text:
            shown["library"].add(participant)
    return shown


def _everywhere(*participants: str) -> dict[str, set[str]]:
    return {surface: set(participants) for surface in ("page", "export", "api", "library")}


async def test_narrowing_counts_at_once_widening_once_composed_again(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], outcome: Outcome
) -> None:
    await make_user(db, "els@example.org", ("educator",), "Els Educator")
    transport = client._transport
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as educator:
        assert (await log_in(educator, "els@example.org")).status_code == 303
        module = await _module(educator, outcome.public_id)

        async def shown() -> dict[str, set[str]]:
            return await _shown(client, educator, outcome, module)  # client: anonymous

        assert await shown() == _everywhere("p1")

        # p2 widens from "no" to "open": nothing changes until the facilitator composes again.
        await outcome.consent("p2", "open")
        assert await shown() == _everywhere("p1")

        # p1 withdraws: gone at once, from the page, the search, the API and the export.
        await outcome.consent("p1", "no")
        assert await shown() == _everywhere()

        # p1 widens again: that too waits for the facilitator.
        await outcome.consent("p1", "open")
        assert await shown() == _everywhere()

        # Composed again: every surface follows the consents as they are now.
        await outcome.compose()
        assert await shown() == _everywhere("p1", "p2")

        # p2 narrows to "national", below the outcome's level "open": at once.
        await outcome.consent("p2", "national")
        assert await shown() == _everywhere("p1")
