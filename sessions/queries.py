"""Finding live sessions (by join code, by public id, by creator) and reading their names."""

from __future__ import annotations

import json

from sqlalchemy import select
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


async def sessions_created_by(
    db: async_sessionmaker[AsyncSession], user_id: int
) -> list[tuple[LiveSession, bool]]:
    """The sessions an account created, newest first, each with whether it has ended."""
    async with db() as session:
        rows = list(
            await session.scalars(
                select(LiveSession)
                .where(LiveSession.created_by == user_id)
                .order_by(LiveSession.created_at.desc(), LiveSession.id.desc())
            )
        )
        ended = set(
            await session.scalars(
                select(SessionEvent.session_id).where(
                    SessionEvent.session_id.in_([row.id for row in rows]),
                    SessionEvent.type == "session.ended",
                )
            )
        )
    return [(row, row.id in ended) for row in rows]


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
