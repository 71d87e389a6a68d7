"""Helpers for the module tests: an educator with outcomes, the module form, the CLI."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalogue.outcomes import actions
from catalogue.outcomes import composition as outcome_composition
from catalogue.outcomes.models import OutcomeRow
from tests.helpers import log_in, make_user, submit

WERKPLAATS = str(Path(sys.executable).parent / "werkplaats")
EVIL = "<script>alert(1)</script> [klik](https://evil.example) <b>vet</b>"
# Names of participants: only in contributions sharing leaves out (p2 did not consent).
NAMES = ("Jansje Pietersen", "Pietersen")
CAPTURED: dict[str, Any] = {
    "clusters": [
        {
            "title": "Grenzen",
            "votes": 3,
            "notes": [
                {"text": "Grenzen stellen helpt", "by": "p1", "votes": 2, "anonymous": False},
                {"text": "Jansje Pietersen zei iets", "by": "p2", "votes": 1, "anonymous": False},
            ],
        }
    ],
    "unclustered": [],
    "round": {"order": ["p1", "p2"], "passed": []},
    "chart": None,
    "attendance": {"room": 2, "remote": 0, "total": 2},
    "takeaways": [
        {"text": "meenemen naar het team", "by": "p1"},
        {"text": "Pietersen neemt het mee", "by": "p2"},
    ],
}
CONSENTS = {"p1": "open", "p2": "no"}


async def make_outcome(
    db: async_sessionmaker[AsyncSession], title: str, sharing: str, user_id: int | None
) -> str:
    facts = outcome_composition.SessionFacts(
        session_id=None,
        title=title,
        held_on=dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC),
        variant_slug="intervisie",
        region_slug="zuid-holland-zuid",
        goals=(),
    )
    composition = outcome_composition.Composition(
        summary=f"Samenvatting {EVIL}", insights="Inzicht", sharing=sharing
    )
    async with db() as session:
        row = await actions.save_outcome(
            session, facts, composition, CAPTURED, CONSENTS, {}, user_id
        )
        return row.public_id


async def educator_setup(
    db: async_sessionmaker[AsyncSession], client: httpx.AsyncClient
) -> dict[str, str]:
    facilitator = await make_user(db)
    await make_user(db, "els@example.org", ("educator",), "Els Educator")
    ids = {
        "open": await make_outcome(db, "Open casus", "open", facilitator.id),
        # national when chosen; narrowed to its region before the export (see below)
        "region": await make_outcome(db, "Regiocasus", "national", facilitator.id),
        "group": await make_outcome(db, "Groepscasus", "group", facilitator.id),
        "later": await make_outcome(db, "Later ingetrokken", "open", facilitator.id),
        "gone": await make_outcome(db, "Later gewist", "open", facilitator.id),
    }
    await log_in(client, "els@example.org")
    return ids


def module_form(ids: dict[str, str], **changes: str) -> dict[str, str]:
    data = {
        "title": f"Grenzen {EVIL}",
        "audience": f"hbo Social Work jaar 2 {EVIL}",
        "objectives": f"Je kunt grenzen benoemen\n{EVIL}",
        "case-1-outcome": ids["open"],
        "case-1-note": f"Let op {EVIL}",
        "case-2-outcome": ids["region"],
        "case-3-outcome": ids["later"],
        "case-4-outcome": ids["gone"],
        "exercise-1-variant": "intervisie",
        "exercise-1-script": "",
        "exercise-2-variant": "fishbowl",
        "exercise-2-script": f"Start | 10 | {EVIL}\nGesprek | 30 | Samen praten",
        "reflection": f"Wat neem je mee?\n{EVIL}",
        "note": "eerste versie",
    }
    data.update(changes)
    return data


async def create_module(client: httpx.AsyncClient, ids: dict[str, str]) -> str:
    response = await submit(client, "/modules/nieuw", "/modules/nieuw", module_form(ids))
    assert response.status_code == 303, response.text
    return response.headers["location"].split("?")[0].rsplit("/", 1)[1]


async def withdraw_and_erase(db: async_sessionmaker[AsyncSession], ids: dict[str, str]) -> None:
    async with db() as session:
        later = await session.scalar(select(OutcomeRow).where(OutcomeRow.public_id == ids["later"]))
        gone = await session.scalar(select(OutcomeRow).where(OutcomeRow.public_id == ids["gone"]))
        assert later is not None and gone is not None
        region = await session.scalar(
            select(OutcomeRow).where(OutcomeRow.public_id == ids["region"])
        )
        assert region is not None
        region.sharing = "region"
        later.sharing = "group"
        await session.delete(gone)
        await session.commit()
