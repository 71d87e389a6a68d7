"""Storing a harvest answer (sessions/harvest/actions.py): the audit of a changed consent, two
first answers at once, and an outcome composed before following a narrower consent."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalogue.outcomes.models import OutcomeRow
from server.db import utcnow
from sessions.harvest.actions import save_response
from sessions.harvest.answers import Answer
from sessions.models import LiveSession
from tests.sessions.test_harvest import audit, stored


@pytest.mark.parametrize("level", ["no", "region"])
async def test_save_response_audits_only_a_changed_level(
    db: async_sessionmaker[AsyncSession], level: str
) -> None:
    async with db() as session:
        row = LiveSession(public_id="pub1", join_code="ABCDEF", title="T", last_seq=0)
        session.add(row)
        await session.commit()
    async with db() as session:
        assert await save_response(session, row, "pa", Answer({}, "", level)) is None
    async with db() as session:
        assert await save_response(session, row, "pa", Answer({"r": 2}, "x", level)) == (level)
    expected = [] if level == "no" else [f"no -> {level}"]
    assert [e.detail for e in await audit(db)] == expected
    async with db() as session:
        with pytest.raises(ValueError):
            await save_response(session, row, "pa", Answer({}, "", "everyone"))


async def test_two_first_answers_at_once_leave_one_row(
    db: async_sessionmaker[AsyncSession],
) -> None:
    """Two tabs saving a first answer at the same moment: one wins, the other replaces it."""
    async with db() as session:
        row = LiveSession(public_id="pub2", join_code="BCDEFG", title="T", last_seq=0)
        session.add(row)
        await session.commit()

    async def save(consent: str) -> str | None:
        async with db() as session:
            return await save_response(session, row, "pa", Answer({}, "", consent))

    earlier = await asyncio.gather(save("region"), save("national"))
    [response] = await stored(db)
    assert response.consent in ("region", "national")
    assert sorted(e or "" for e in earlier) in (["", "region"], ["", "national"])
    details = [e.detail for e in await audit(db)]
    assert len(details) == 2 and details[-1].endswith(f"-> {response.consent}")


async def test_a_changed_consent_reaches_an_outcome_composed_before(
    db: async_sessionmaker[AsyncSession],
) -> None:
    async with db() as session:
        row = LiveSession(public_id="pub2", join_code="BCDEFG", title="T", last_seq=0)
        session.add(row)
        await session.commit()
        session.add(
            OutcomeRow(
                public_id="out2",
                session_id=row.id,
                title="T",
                held_on=utcnow(),
                consents={"pa": "open", "pb": "region"},
            )
        )
        await session.commit()
    async with db() as session:
        await save_response(session, row, "pa", Answer({}, "", "open"))
    async with db() as session:
        await save_response(session, row, "pa", Answer({}, "", "no"))  # withdrawn
    async with db() as session:
        outcome = await session.scalar(select(OutcomeRow).where(OutcomeRow.public_id == "out2"))
        assert outcome is not None
        assert outcome.consents == {"pa": "no", "pb": "region"}
