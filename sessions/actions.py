"""Creating a live session: the write behind the start form and the API.

Finding one is in sessions/queries.py; joining one in sessions/joins.py (with its bounds)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.models import Role, User
from sessions import events as ev
from sessions.engine import SessionEngine
from sessions.models import LiveSession

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
    planned_minutes: int | None = None  # the variant's typical duration


# The roles that start and run sessions. An account's participant in a session (`u{id}`) acts
# only while the account has one: a coordinator who takes it away ends that person's say in
# sessions still running, not only on the pages.
STARTERS = (Role.FACILITATOR, Role.COORDINATOR)


def facilitator_id(user_id: int) -> str:
    """A facilitator's participant id: the same in every session, tied to the account."""
    return f"u{user_id}"


def facilitator_joined(user_id: int, name: str, modality: str) -> ev.ParticipantJoined:
    """An account joining as facilitator: its creator, or a coordinator taking part; in the
    room of an on-site session, else remote."""
    location: ev.Location = "room" if modality == "on-site" else "remote"
    return ev.ParticipantJoined(facilitator_id(user_id), name, "facilitator", location)


def account_of(participant: str) -> int | None:
    """The account behind a participant id made by `facilitator_id`; None for anyone else."""
    digits = participant[1:]
    if participant.startswith("u") and digits.isascii() and digits.isdigit():
        return int(digits)
    return None


def runs_sessions(user: User | None) -> bool:
    """Whether an account may act as the facilitator it is in sessions: active, with a role
    that starts sessions."""
    return user is not None and user.is_active and user.has_role(*STARTERS)


async def account_may_act(db: async_sessionmaker[AsyncSession], participant: str) -> bool:
    """Whether this participant may connect: anyone joined with the code may; an account's
    participant only while `runs_sessions` holds for the account (erased: never)."""
    account = account_of(participant)
    if account is None:
        return True
    async with db() as session:
        return runs_sessions(await session.get(User, account))


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
    planned_start: dt.datetime | None = None,
    planned_end: dt.datetime | None = None,
    extra: Sequence[ev.EventBody] = (),
) -> LiveSession:
    """A new session with its agenda, and its creator in it as facilitator; `extra` events
    (a group's terugblik: sessions/groups/review.py) follow in the same submit."""
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
                planned_start=planned_start,
                planned_end=planned_end,
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
        setup.planned_minutes,
    )
    joined = facilitator_joined(user_id, facilitator_name, setup.modality)
    await engine.submit(row.id, None, None, lambda state, now: [created, joined, *extra])
    return row
