"""Creating a live session and finding one: the writes and reads behind the HTTP endpoints.

Joining one is in sessions/joins.py (with its bounds)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sessions import events as ev
from sessions.engine import SessionEngine
from sessions.models import LiveSession, SessionEvent

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud
CODE_LENGTH = 6


@dataclass(frozen=True)
class SessionSetup:
    title: str
    phases: tuple[ev.AgendaPhase, ...]
    goals: tuple[str, ...]
    modality: ev.Modality
    capacity: int | None
    breakout_size: int
    anonymous_notes: bool
    asynchronous: bool
    variant_slug: str | None
    region: str | None = None
    theme: str | None = None
    video_url: str | None = None  # check it with commands.video_url_problem() first


def facilitator_id(user_id: int) -> str:
    """A facilitator's participant id: the same in every session, tied to the account."""
    return f"u{user_id}"


def new_participant_id() -> str:
    return "p" + secrets.token_urlsafe(9)


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def create_session(
    db: async_sessionmaker[AsyncSession],
    engine: SessionEngine,
    setup: SessionSetup,
    user_id: int,
    facilitator_name: str,
) -> LiveSession:
    """A new session with its agenda, and its creator in it as facilitator."""
    row = None
    for _ in range(10):  # a join code collision is rare; try another
        async with db() as session:
            row = LiveSession(
                public_id=secrets.token_urlsafe(9),
                join_code=new_join_code(),
                title=setup.title,
                variant_slug=setup.variant_slug,
                created_by=user_id,
                last_seq=0,
            )
            session.add(row)
            try:
                await session.commit()
                break
            except IntegrityError:
                await session.rollback()
                row = None
    if row is None:
        raise RuntimeError("could not find a free join code")
    created = ev.SessionCreated(
        setup.title,
        setup.phases,
        setup.goals,
        setup.modality,
        setup.capacity,
        setup.breakout_size,
        setup.anonymous_notes,
        setup.asynchronous,
        setup.region,
        setup.theme,
        setup.video_url,
    )
    location: ev.Location | None = "room" if setup.modality == "on-site" else "remote"
    joined = ev.ParticipantJoined(
        facilitator_id(user_id), facilitator_name, "facilitator", location
    )
    await engine.submit(row.id, None, None, lambda state, now: [created, joined])
    return row


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
