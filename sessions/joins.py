"""How many can join a session: its maximum of participants, and new participants per client
address (issue 14: anyone with the code could add participants without bound, and every one of
them grows the state each later welcome carries).

- A session takes at most `max_participants` participants (not removed; its facilitators not
  counted). Unset, that is `DEFAULT_MAX_PARTICIPANTS`, or the room's places when there are more;
  the facilitator sets it at creation or on the session's page, from 1 to `MAX_PARTICIPANTS`.
  It is checked in the session's writer, one join after another (like the room's capacity), so
  a burst never gets more in, whichever process it reaches.
- One client address adds at most `Settings.joins_per_client_per_session` (60: a class behind
  one NAT address fits) new participants to one session in an hour, counted in the database
  (server/limits.py).

Coming back with a participant token is no join: it goes straight to the websocket.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.limits import claim_new_participant, release_new_participant
from sessions import events as ev
from sessions.decide import Refused, decide_join
from sessions.engine import SessionEngine
from sessions.models import LiveSession
from sessions.state import State

DEFAULT_MAX_PARTICIPANTS = 50
MAX_PARTICIPANTS = 1000  # as many as a room may have places (sessions/forms.py MAX_CAPACITY)
FULL = "session_full"
TOO_MANY_JOINS = "too_many_joins"


def default_maximum(capacity: int | None) -> int:
    """The maximum of a session whose facilitator set none: a room's places count in full."""
    return max(DEFAULT_MAX_PARTICIPANTS, capacity or 0)


def maximum_of(row: LiveSession, state: State) -> int:
    if row.max_participants is not None:
        return row.max_participants
    return default_maximum(state.capacity)


def taking_part(state: State) -> int:
    """Who counts against the maximum: everyone joined and not removed but the facilitators."""
    return sum(
        1
        for person in state.people.values()
        if not person.removed and person.role not in ("facilitator", "co-facilitator")
    )


def maximum_problem(value: int, capacity: int | None) -> str | None:
    """Why this maximum cannot be set: `out_of_range`, `below_capacity` (under the room's
    places, which could then never fill), or None."""
    if not 1 <= value <= MAX_PARTICIPANTS:
        return "out_of_range"
    if capacity is not None and value < capacity:
        return "below_capacity"
    return None


def decide_bounded_join(
    state: State,
    participant: str,
    name: str,
    location: ev.Location | None,
    maximum: int,
) -> list[ev.EventBody]:
    """`decide_join`, refused with `session_full` when the maximum is reached."""
    new = bool(state.title) and not state.ended and participant not in state.people
    if new and taking_part(state) >= maximum:
        raise Refused(
            FULL,
            f"this session is full ({maximum} participants); its facilitator can raise the maximum",
        )
    return decide_join(state, participant, name, location)


async def join(
    db: async_sessionmaker[AsyncSession],
    engine: SessionEngine,
    row: LiveSession,
    participant: str,
    name: str,
    location: ev.Location | None,
    client: str,
    per_client: int,
) -> None:
    """Add a new participant; raises server.limits.TooMany (this address added enough) or
    Refused (full, room full, ended, …). A refused join does not count against the address."""
    claim = await claim_new_participant(db, row.id, client, per_client)

    def decided(state: State, now: float) -> list[ev.EventBody]:
        return decide_bounded_join(state, participant, name, location, maximum_of(row, state))

    try:
        await engine.submit(row.id, participant, None, decided)
    except Exception:
        await release_new_participant(db, claim)
        raise


async def set_maximum(db: async_sessionmaker[AsyncSession], session_id: int, value: int) -> None:
    """Store the session's maximum (checked with `maximum_problem` first)."""
    async with db() as session:
        await session.execute(
            update(LiveSession).where(LiveSession.id == session_id).values(max_participants=value)
        )
        await session.commit()
