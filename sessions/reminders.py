"""The harvest reminder: a mail to a session's facilitator when its outcome is still not saved
a day after the session ended (or after its planned end). Once per session. The same rounds
cancel the plan of a session that ended before its planned start (its invitees are mailed).

A background task of every server process looks every CHECK_EVERY seconds. A session is
claimed by setting `live_sessions.reminded_at` where it is still empty, in the transaction that
queues the mail (server/mail/outbox.py): two processes never both remind, and the mail is
queued if and only if the session is marked.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from catalogue.outcomes.models import OutcomeRow
from server import i18n
from server.db import utcnow
from server.i18n import N_
from server.mail import outbox
from server.mail.render import render
from server.models import User
from sessions import invitations
from sessions.models import LiveSession, SessionEvent

AFTER = dt.timedelta(days=1)
CHECK_EVERY = 600.0  # seconds
FIRST_LOOK = 30.0  # seconds after start-up: not in the rush of starting
SUBJECT = N_("The harvest of your session is still open")
log = logging.getLogger("werkplaats.sessions")


async def remind_due(
    db: async_sessionmaker[AsyncSession],
    base_url: str,
    now: dt.datetime | None = None,
    *,
    default_language: str = i18n.LANGUAGES[0],
) -> int:
    """Queue the reminders that are due, each in its facilitator's mail language (else
    `default_language`, the site's); how many."""
    now = now or utcnow()
    cutoff = now - AFTER
    ended = (
        select(SessionEvent.session_id, func.min(SessionEvent.at).label("at"))
        .where(SessionEvent.type == "session.ended")
        .group_by(SessionEvent.session_id)
        .subquery()
    )
    async with db() as session:
        due = (
            await session.execute(
                select(
                    LiveSession.id,
                    LiveSession.public_id,
                    LiveSession.title,
                    User.email,
                    User.language,
                )
                .join(User, User.id == LiveSession.created_by)
                .outerjoin(ended, ended.c.session_id == LiveSession.id)
                .where(
                    LiveSession.reminded_at.is_(None),
                    User.is_active.is_(True),
                    or_(ended.c.at < cutoff.timestamp(), LiveSession.planned_end < cutoff),
                    ~select(OutcomeRow.id).where(OutcomeRow.session_id == LiveSession.id).exists(),
                )
                .order_by(LiveSession.id)
                .limit(100)
            )
        ).all()
    sent = 0
    for session_id, public_id, title, email, own in due:
        async with db() as session:
            claimed = await session.execute(
                update(LiveSession)
                .where(LiveSession.id == session_id, LiveSession.reminded_at.is_(None))
                .values(reminded_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                await session.rollback()
                continue  # another process reminded first
            link = f"{base_url.rstrip('/')}/sessies/{public_id}/uitkomst"
            outbox.queue(
                session,
                render(
                    "harvest_reminder",
                    to=email,
                    subject=SUBJECT,
                    language=own or default_language,  # as /account shows it chosen
                    context={"title": title, "link": link},
                ),
            )
            await session.commit()
            sent += 1
    return sent


async def cancel_ended_early(
    db: async_sessionmaker[AsyncSession], base_url: str, mail_from: str, language: str = "nl"
) -> int:
    """Sessions ended before their planned start: their plan goes, and the invited accounts
    get a cancellation (sessions/invitations.py); how many sessions."""
    ended = (
        select(SessionEvent.session_id, func.min(SessionEvent.at).label("at"))
        .where(SessionEvent.type == "session.ended")
        .group_by(SessionEvent.session_id)
        .subquery()
    )
    async with db() as session:
        rows = (
            await session.execute(
                select(LiveSession.id, LiveSession.join_code, LiveSession.planned_start, ended.c.at)
                .join(ended, ended.c.session_id == LiveSession.id)
                .where(LiveSession.planned_start.is_not(None))
                .limit(100)
            )
        ).all()
    cancelled = 0
    for session_id, join_code, start, ended_at in rows:
        if start is None or ended_at >= start.timestamp():
            continue
        join_url = f"{base_url.rstrip('/')}/join?code={join_code}"
        await invitations.change_plan(db, session_id, None, join_url, mail_from, language)
        cancelled += 1
    return cancelled


@contextlib.asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[None]:
    """Look for due reminders while the app serves."""

    async def loop() -> None:
        await asyncio.sleep(FIRST_LOOK)
        while True:
            try:
                settings = app.state.settings
                language = settings.default_language
                cancelled = await cancel_ended_early(
                    app.state.db, settings.public_url, settings.mail_from, language
                )
                reminded = await remind_due(
                    app.state.db, settings.public_url, default_language=language
                )
                if reminded or cancelled:
                    sender = getattr(app.state, "mail", None)
                    if sender is not None:
                        sender.wake()
            except Exception:  # the database away: the next round tries again
                log.exception("harvest reminders: cannot look")
            await asyncio.sleep(CHECK_EVERY)

    task = asyncio.create_task(loop(), name="harvest reminders")
    try:
        yield
    finally:
        task.cancel()
        # Bounded: a send or a query that does not give way to the cancellation must not hold
        # up the app's shutdown (a test's app once never finished stopping in CI).
        await asyncio.wait({task}, timeout=5)
