"""An account's private calendar feed: the sessions it facilitates that have a plan.

Calendar apps fetch the feed without a login, so its address holds the secret: a random token
of which only the SHA-256 hash is kept (calendar_feeds). Making a new address ends the old one;
stopping the feed deletes it, and its address then answers 404.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.models import Role, User
from sessions import calendar
from sessions.models import CalendarFeed, LiveSession

PATH = "/agenda/{token}.ics"
# Who may have a feed: the roles that start sessions.
FACILITATING = (Role.FACILITATOR, Role.COORDINATOR)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def has_feed(db: async_sessionmaker[AsyncSession], user_id: int) -> bool:
    async with db() as session:
        found = await session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user_id))
    return found is not None


async def renew(db: async_sessionmaker[AsyncSession], user_id: int) -> str:
    """A new feed token for the account (the old address stops working); shown once."""
    token = secrets.token_urlsafe(32)
    async with db() as session:
        await session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user_id))
        session.add(CalendarFeed(token_hash=_digest(token), user_id=user_id))
        await session.commit()
    return token


async def revoke(db: async_sessionmaker[AsyncSession], user_id: int) -> None:
    async with db() as session:
        await session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user_id))
        await session.commit()


async def feed_of(
    db: async_sessionmaker[AsyncSession], token: str, base_url: str, domain: str
) -> str | None:
    """The feed this token opens (iCalendar text), or None: no such feed, or its account is
    no longer active or no longer a facilitator or coordinator."""
    if not 20 <= len(token) <= 100:
        return None
    async with db() as session:
        user = await session.scalar(
            select(User)
            .join(CalendarFeed, CalendarFeed.user_id == User.id)
            .where(CalendarFeed.token_hash == _digest(token), User.is_active.is_(True))
        )
        # Without a facilitating role the account cannot reach /agenda to stop the address, so
        # the address stops with the role. Granted, not in force: a coordinator whose second
        # factor is being reset keeps their calendar.
        if user is None or user.granted_roles.isdisjoint(FACILITATING):
            return None
        rows = list(
            await session.scalars(
                select(LiveSession)
                .where(LiveSession.created_by == user.id, LiveSession.planned_start.is_not(None))
                .order_by(LiveSession.planned_start)
            )
        )
    events = [
        calendar.Planned(
            row.public_id,
            row.title,
            row.planned_start,
            row.planned_end,
            row.plan_sequence,
            f"{base_url}/sessies/{row.public_id}",
        )
        for row in rows
        if row.planned_start is not None and row.planned_end is not None
    ]
    return calendar.feed(events, domain, "Werkplaats")
