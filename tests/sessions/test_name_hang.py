"""Issue 14, first defect: a display name hung the server.

A participant named "de", and an open outcome whose summary says "de groep" 30 times: `GET
/bibliotheek` (no account) never answered and `/healthz` stopped answering, because the library
compared its stored snippet with the text by a pattern with one lazy wildcard per replaced name
(exponential backtracking). Now the shared texts come from the sharing gate, whose name matching
is linear whatever the names (and the stale-snippet check is a plain comparison), and a name
that is only a tussenvoegsel replaces nothing. A real server (SQLite and PostgreSQL): the
library, its search and the API answer within seconds, and the text is not shredded. (Before
the gate, this test failed on the shredding: every "de" became "[naam]".)
"""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx

from catalogue.outcomes.actions import save_outcome
from catalogue.outcomes.composition import Composition, SessionFacts
from server.db import create_engine, sessionmaker
from tests.sessions.live import Server

SUMMARY = "In de groep zei de een dat de groep meer tijd wil. " + "de groep " * 30


async def _open_outcome(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with sessionmaker(engine)() as db:
            await save_outcome(
                db,
                SessionFacts(
                    session_id=None,
                    title="Werkwijze van de groep",
                    held_on=dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC),
                ),
                Composition(summary=SUMMARY, sharing="open"),
                {"unclustered": [{"text": "de groep " * 30, "by": "p-de", "anonymous": False}]},
                {"p-de": "open", "p-groep": "open"},
                {},
                None,
                names={"p-de": "de", "p-groep": "De Groep"},
            )
    finally:
        await engine.dispose()


async def test_a_name_that_is_a_common_word_neither_hangs_nor_shreds_the_library(
    server: Server,
) -> None:
    await _open_outcome(server.database_url)
    async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
        pages = await asyncio.gather(
            client.get("/bibliotheek"),
            client.get("/bibliotheek", params={"q": "groep"}),
            client.get("/api/outcomes", params={"q": "groep"}),
            client.get("/healthz"),
        )
    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    assert "Werkwijze van de groep" in pages[0].text
    # "de" (a tussenvoegsel) and "de groep" written small (common words) stay text; only a
    # capitalised "De Groep" would be that participant.
    hits = pages[2].json()["outcomes"]
    assert [hit["title"] for hit in hits] == ["Werkwijze van de groep"]
    assert hits[0]["snippet"].startswith("In de groep zei de een dat de groep meer tijd wil.")
