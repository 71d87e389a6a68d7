"""Bounds on guessing join codes: wrong codes per client address, counted in the database so
the bound holds across server processes (like failed logins, server/accounts.py).

The client address is the one the login limit reads (`request.client`, which uvicorn's
proxy_headers sets from the reverse proxy's X-Forwarded-For).
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from server.db import utcnow
from server.models import JoinFailure

JOIN_WINDOW = dt.timedelta(minutes=10)


def client_address(connection: HTTPConnection) -> str:
    """The client's address as the limits count it."""
    return (connection.client.host if connection.client else "unknown")[:64]


async def join_retry_after(
    db: async_sessionmaker[AsyncSession], client: str, limit: int
) -> int | None:
    """Seconds until this client may try a join code again, or None if it may now."""
    since = utcnow() - JOIN_WINDOW
    async with db() as session:
        row = (
            await session.execute(
                select(func.count(), func.min(JoinFailure.at)).where(
                    JoinFailure.client == client[:64], JoinFailure.at >= since
                )
            )
        ).one()
    count, oldest = int(row[0] or 0), row[1]
    if count < limit or oldest is None:
        return None
    return max(1, math.ceil((oldest + JOIN_WINDOW - utcnow()).total_seconds()))


async def record_join_failure(db: async_sessionmaker[AsyncSession], client: str) -> None:
    """Count a wrong join code from this client (and forget the ones too old to matter)."""
    now = utcnow()
    async with db() as session:
        await session.execute(delete(JoinFailure).where(JoinFailure.at < now - JOIN_WINDOW))
        session.add(JoinFailure(client=client[:64], at=now))
        await session.commit()
