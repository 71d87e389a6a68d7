"""The engine in-process, on both databases: group commit, gap-free seqs, the timekeeper."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sessions import events as ev
from sessions.decide import Refused
from sessions.engine import SessionEngine
from sessions.models import LiveSession


@pytest.fixture
async def session_engine(db: async_sessionmaker[AsyncSession]) -> AsyncIterator[SessionEngine]:
    engine = SessionEngine(db, tick=0.05)
    await engine.start()
    try:
        yield engine
    finally:
        await engine.stop()


async def _session(
    db: async_sessionmaker[AsyncSession],
    engine: SessionEngine,
    phases: tuple[ev.AgendaPhase, ...],
    asynchronous: bool,
) -> int:
    async with db() as session:
        row = LiveSession(
            public_id=f"s{time.monotonic_ns()}",
            join_code=str(time.monotonic_ns())[-8:],
            title="Test",
            last_seq=0,
        )
        session.add(row)
        await session.commit()
    created = ev.SessionCreated("Test", phases, (), "online", None, 4, False, asynchronous)
    joined = ev.ParticipantJoined("fa", "Fenna", "facilitator", "remote")
    await engine.submit(row.id, None, None, lambda state, now: [created, joined])
    return row.id


async def test_concurrent_commands_get_gap_free_seqs_in_few_transactions(
    db: async_sessionmaker[AsyncSession], session_engine: SessionEngine
) -> None:
    phases = (ev.AgendaPhase("Bord", 10, "board"), ev.AgendaPhase("Oogsten", 5, "harvest"))
    session_id = await _session(db, session_engine, phases, asynchronous=False)
    results = await asyncio.gather(
        *(
            session_engine.submit(
                session_id,
                "fa",
                f"c{n}",
                lambda state, now, n=n: [ev.ChatPosted(f"m{n}", f"bericht {n}", None)],
            )
            for n in range(300)
        )
    )
    seqs = sorted(seq for found in results for seq in found)
    assert seqs == list(range(3, 303))
    state = await session_engine.state(session_id)
    assert state.seq == 302 and len(state.chat) == 300


async def test_a_refused_decision_stores_nothing(
    db: async_sessionmaker[AsyncSession], session_engine: SessionEngine
) -> None:
    phases = (ev.AgendaPhase("Bord", 10, "board"), ev.AgendaPhase("Oogsten", 5, "harvest"))
    session_id = await _session(db, session_engine, phases, asynchronous=False)

    def refuse(state: object, now: float) -> list[ev.EventBody]:
        raise Refused("no", "not now")

    with pytest.raises(Refused):
        await session_engine.submit(session_id, "fa", "x", refuse)
    assert (await session_engine.state(session_id)).seq == 2


async def test_an_asynchronous_session_moves_on_when_a_phase_date_passes(
    db: async_sessionmaker[AsyncSession], session_engine: SessionEngine
) -> None:
    soon = time.time() + 0.3
    phases = (
        ev.AgendaPhase("Casus schrijven", 30, "board", until=soon),
        ev.AgendaPhase("Vragen stellen", 30, "board", until=soon + 3600),
        ev.AgendaPhase("Oogsten", 10, "harvest"),
    )
    session_id = await _session(db, session_engine, phases, asynchronous=True)
    await session_engine.submit(
        session_id, "fa", "start", lambda state, now: [ev.PhaseStarted(0, phases[0].until)]
    )
    assert (await session_engine.state(session_id)).phase == 0
    deadline = time.monotonic() + 10
    while (await session_engine.state(session_id)).phase != 1:
        assert time.monotonic() < deadline, "the phase did not move on by date"
        await asyncio.sleep(0.05)
    state = await session_engine.state(session_id)
    assert state.ends_at == phases[1].until  # and the next one closes on its own date
