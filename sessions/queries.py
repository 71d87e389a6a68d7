"""Finding live sessions (by join code, by public id, by creator) and reading their names."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sessions.models import LiveSession, SessionEvent


def normalize_code(code: str) -> str:
    """A join code as typed or read aloud: any case, spaces anywhere."""
    return "".join(code.split()).upper()


async def find_by_code(db: async_sessionmaker[AsyncSession], code: str) -> LiveSession | None:
    code = normalize_code(code)
    if not code or len(code) > 12:
        return None
    async with db() as session:
        return await session.scalar(select(LiveSession).where(LiveSession.join_code == code))


async def find_by_public_id(
    db: async_sessionmaker[AsyncSession], public_id: str
) -> LiveSession | None:
    async with db() as session:
        return await session.scalar(select(LiveSession).where(LiveSession.public_id == public_id))


@dataclass(frozen=True)
class Listed:
    """A session in its facilitator's list: when its first phase started, whether it ended."""

    session: LiveSession
    started_at: dt.datetime | None
    ended: bool

    @property
    def status(self) -> str:
        """ "planned" (no phase has started), "running" or "ended"."""
        if self.ended:
            return "ended"
        return "running" if self.started_at is not None else "planned"


def _order(listed: Listed) -> tuple[int, float]:
    # Running first; then planned ones, the soonest first (unplanned after, newest first);
    # then ended ones, the latest first.
    row = listed.session
    if listed.status == "running":
        return (0, -(listed.started_at or row.created_at).timestamp())
    if listed.status == "planned":
        if row.planned_start is not None:
            return (1, row.planned_start.timestamp())
        return (2, -row.created_at.timestamp())
    return (3, -(listed.started_at or row.planned_start or row.created_at).timestamp())


async def sessions_created_by(db: async_sessionmaker[AsyncSession], user_id: int) -> list[Listed]:
    """The sessions an account created: running, planned (soonest first), then ended ones."""
    async with db() as session:
        rows = list(
            await session.scalars(
                select(LiveSession)
                .where(LiveSession.created_by == user_id)
                .order_by(LiveSession.created_at.desc(), LiveSession.id.desc())
            )
        )
        return sorted(await listed(session, rows), key=_order)


async def listed(session: AsyncSession, rows: list[LiveSession]) -> list[Listed]:
    """These sessions with when their first phase started and whether they ended, in order."""
    ids = [row.id for row in rows]
    ended = set(
        await session.scalars(
            select(SessionEvent.session_id).where(
                SessionEvent.session_id.in_(ids), SessionEvent.type == "session.ended"
            )
        )
    )
    started = await _first_phase_starts(session, ids)
    return [Listed(row, started.get(row.id), row.id in ended) for row in rows]


async def first_phase_started(
    db: async_sessionmaker[AsyncSession], session_id: int
) -> dt.datetime | None:
    """When the session's first phase started (not when it was created); None: not yet."""
    async with db() as session:
        return (await _first_phase_starts(session, [session_id])).get(session_id)


async def _first_phase_starts(db: AsyncSession, ids: list[int]) -> dict[int, dt.datetime]:
    rows = await db.execute(
        select(SessionEvent.session_id, func.min(SessionEvent.at))
        .where(SessionEvent.session_id.in_(ids), SessionEvent.type == "phase.started")
        .group_by(SessionEvent.session_id)
    )
    return {sid: dt.datetime.fromtimestamp(at, dt.UTC) for sid, at in rows if at is not None}


async def display_names(db: AsyncSession, session_id: int) -> dict[str, str]:
    """Every display name a session's participants had, read from its log (no engine needed):
    participant id -> current name, and earlier names under "{id}~{n}" keys.

    For scrubbing names that someone typed into texts which leave the group (module exports):
    only the values matter there.
    """
    rows = await db.execute(
        select(SessionEvent.body)
        .where(
            SessionEvent.session_id == session_id,
            SessionEvent.type.in_(("participant.joined", "participant.renamed")),
        )
        .order_by(SessionEvent.seq)
    )
    names: dict[str, str] = {}
    earlier = 0
    for (body,) in rows:
        event = json.loads(body)
        participant, name = event.get("participant"), event.get("name")
        if not isinstance(participant, str) or not isinstance(name, str):
            continue
        if participant in names and names[participant] != name:
            earlier += 1
            names[f"{participant}~{earlier}"] = names[participant]
        names[participant] = name
    return names
