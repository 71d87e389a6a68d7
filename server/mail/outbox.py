"""The outbox: queue a mail in the caller's transaction; claim due mail, mark it sent or due
again later.

A claim moves the mail's next attempt ahead by a lease (compare-and-set on the old time, with
`FOR UPDATE SKIP LOCKED` on PostgreSQL), and commits before the mail is sent: several processes
never send one mail at once, and a process that dies while sending leaves the mail to be sent
again when the lease ends. A mail can so arrive twice, never not at all."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.db import utcnow
from server.mail.models import MailOutbox
from server.mail.render import Message

LEASE = dt.timedelta(minutes=5)
LONGEST_WAIT = dt.timedelta(hours=1)
GIVE_UP_AFTER = dt.timedelta(days=3)
KEEP_SENT = dt.timedelta(days=7)
KEEP_GIVEN_UP = dt.timedelta(days=30)


def queue(db: AsyncSession, message: Message) -> None:
    """Add the mail to `db`'s transaction: it is queued if and only if that commits."""
    db.add(
        MailOutbox(
            to=message.to,
            subject=message.subject[:200],
            text=message.text,
            html=message.html,
            language=message.language,
            attempts=0,
            next_attempt_at=utcnow(),
            last_error="",
            calendar=message.calendar,
            calendar_method=message.calendar_method,
        )
    )


@dataclass(frozen=True)
class Claimed:
    id: int
    to: str
    subject: str
    text: str
    html: str
    language: str
    attempts: int
    created_at: dt.datetime
    calendar: str | None = None
    calendar_method: str | None = None


async def claim(db: AsyncSession) -> Claimed | None:
    """The next due mail, claimed for this process for LEASE (committed); None if none is due."""
    now = utcnow()
    query = (
        select(MailOutbox)
        .where(MailOutbox.sent_at.is_(None), MailOutbox.next_attempt_at <= now)
        .order_by(MailOutbox.next_attempt_at, MailOutbox.id)
        .limit(1)
    )
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    mail = await db.scalar(query)
    if mail is None:
        await db.rollback()
        return None
    claimed = await db.execute(
        update(MailOutbox)
        .where(MailOutbox.id == mail.id, MailOutbox.next_attempt_at == mail.next_attempt_at)
        .values(next_attempt_at=now + LEASE, attempts=MailOutbox.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    await db.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None  # another process claimed it first (SQLite); the caller looks again
    return Claimed(
        id=mail.id,
        to=mail.to,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        language=mail.language,
        attempts=mail.attempts + 1,
        created_at=mail.created_at,
        calendar=mail.calendar,
        calendar_method=mail.calendar_method,
    )


async def mark_sent(db: AsyncSession, mail_id: int) -> None:
    await db.execute(
        update(MailOutbox)
        .where(MailOutbox.id == mail_id)
        .values(sent_at=utcnow(), next_attempt_at=None, last_error="")
    )
    await db.commit()


def retry_delay(attempts: int, first: dt.timedelta) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed attempt: doubling, at most an hour."""
    wait: dt.timedelta = first * 2 ** min(attempts - 1, 30)
    return min(wait, LONGEST_WAIT)


async def mark_failed(
    db: AsyncSession, mail: Claimed, error: str, first_retry: dt.timedelta
) -> bool:
    """Record a failed attempt; the mail is due again later, or given up (False) when it has
    been waiting for GIVE_UP_AFTER."""
    now = utcnow()
    again: dt.datetime | None = now + retry_delay(mail.attempts, first_retry)
    if now - mail.created_at >= GIVE_UP_AFTER:
        again = None
    await db.execute(
        update(MailOutbox)
        .where(MailOutbox.id == mail.id)
        .values(next_attempt_at=again, last_error=error[:500])
    )
    await db.commit()
    return again is not None


async def prune(db: AsyncSession) -> None:
    """Delete mail sent more than KEEP_SENT ago, and mail given up KEEP_GIVEN_UP after it was
    queued (docs/privacy.md)."""
    now = utcnow()
    await db.execute(delete(MailOutbox).where(MailOutbox.sent_at < now - KEEP_SENT))
    await db.execute(
        delete(MailOutbox).where(
            MailOutbox.sent_at.is_(None),
            MailOutbox.next_attempt_at.is_(None),
            MailOutbox.created_at < now - KEEP_GIVEN_UP,
        )
    )
    await db.commit()
