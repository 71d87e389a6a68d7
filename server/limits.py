"""Bounds on guessing join codes and on joining, per client address, counted in the database so
they hold across server processes (like failed logins, server/accounts.py).

Each bound is kept atomic the same way, on SQLite and PostgreSQL alike: an attempt is recorded
(inserted and committed) first, and only then counted, itself included. The k-th of a burst of
parallel attempts therefore sees at least k rows, so at most `limit` of them go on, however the
requests interleave. An attempt that is refused, or that turns out not to count (a right join
code, a join the session refused), removes its own row again.

Join codes count once each: a guess is a code, so the attempts of a class behind one NAT address
that all type the same code at once are one code, not fifty guesses. An attempt is refused (or
not) before its code is looked up, so a refusal says nothing about whether the code was right.

The client address is the one the login limit reads (`request.client`, which uvicorn's
proxy_headers sets from the reverse proxy's X-Forwarded-For).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, delete, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from server.db import utcnow
from server.models import JoinFailure, ParticipantJoin

JOIN_WINDOW = dt.timedelta(minutes=10)
NEW_PARTICIPANT_WINDOW = dt.timedelta(hours=1)


class TooMany(Exception):
    """The bound is reached; `retry_after` seconds until the oldest counted attempt expires."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many attempts; retry after {retry_after} s")
        self.retry_after = retry_after


def client_address(connection: HTTPConnection) -> str:
    """The client's address as the limits count it."""
    return (connection.client.host if connection.client else "unknown")[:64]


async def _claim(
    db: async_sessionmaker[AsyncSession],
    row: JoinFailure | ParticipantJoin,
    counted: Callable[[dt.datetime], ColumnElement[bool]],
    window: dt.timedelta,
    limit: int,
    measure: ColumnElement[int] | None = None,
) -> int:
    """Record `row` (an attempt), then count the attempts `counted` selects within the window
    (or `measure` them, e.g. different codes), this one included; its id if that is within
    `limit`, else TooMany (and the row is gone)."""
    model: Any = type(row)
    async with db() as session:
        # Old attempts say nothing about now; pruning here keeps the table small.
        await session.execute(delete(model).where(model.at < row.at - window))
        session.add(row)
        await session.commit()
        since = utcnow() - window
        count, oldest = (
            await session.execute(
                select(func.count() if measure is None else measure, func.min(model.at)).where(
                    counted(since)
                )
            )
        ).one()
        if int(count or 0) <= limit:
            return int(row.id)
        await session.execute(delete(model).where(model.id == row.id))
        await session.commit()
    expires = (oldest or row.at) + window
    raise TooMany(max(1, math.ceil((expires - utcnow()).total_seconds())))


def code_digest(code: str) -> str:
    """What is kept of a join code: enough to tell codes apart, not the code itself."""
    return hashlib.sha256(code.encode()).hexdigest()[:16]


async def claim_join_attempt(
    db: async_sessionmaker[AsyncSession], client: str, code: str, limit: int
) -> int:
    """Record a join-code attempt from this client (the code as typed, normalised); its id, or
    TooMany when more than `limit` different codes (pending attempts included) were tried from
    here in the window. A right code must be forgotten with `forget_join_attempt`: only wrong
    codes count."""
    client = client[:64]
    return await _claim(
        db,
        JoinFailure(client=client, code=code_digest(code), at=utcnow()),
        lambda since: (JoinFailure.client == client) & (JoinFailure.at >= since),
        JOIN_WINDOW,
        limit,
        measure=func.count(distinct(JoinFailure.code)),
    )


async def forget_join_attempt(db: async_sessionmaker[AsyncSession], attempt: int) -> None:
    """The code was right: this attempt is no wrong code."""
    async with db() as session:
        await session.execute(delete(JoinFailure).where(JoinFailure.id == attempt))
        await session.commit()


async def claim_new_participant(
    db: async_sessionmaker[AsyncSession], session_id: int, client: str, limit: int
) -> int:
    """Record a new participant joining this session from this client; its id, or TooMany when
    `limit` joined (or are joining) from here within the hour. A join the session then refuses
    must be given back with `release_new_participant`."""
    client = client[:64]
    return await _claim(
        db,
        ParticipantJoin(session_id=session_id, client=client, at=utcnow()),
        lambda since: (
            (ParticipantJoin.session_id == session_id)
            & (ParticipantJoin.client == client)
            & (ParticipantJoin.at >= since)
        ),
        NEW_PARTICIPANT_WINDOW,
        limit,
    )


async def release_new_participant(db: async_sessionmaker[AsyncSession], claim: int) -> None:
    """The join did not happen: it does not count."""
    async with db() as session:
        await session.execute(delete(ParticipantJoin).where(ParticipantJoin.id == claim))
        await session.commit()
