"""Retention's reads: how old every session and outcome is, and the plan the rule makes of it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.outcomes.models import OutcomeRow
from server.models import AuditEntry
from sessions.models import LiveSession, SessionEvent
from sessions.retention.rule import OutcomeAge, RetentionPlan, SessionAge, plan


async def read_plan(db: AsyncSession, now: dt.datetime, days: int) -> tuple[RetentionPlan, int]:
    """The plan for `now`, and how many audit entries are older than its cutoff."""
    last = (
        select(SessionEvent.session_id, func.max(SessionEvent.at).label("last"))
        .group_by(SessionEvent.session_id)
        .subquery()
    )
    rows = await db.execute(
        select(
            LiveSession.id,
            LiveSession.public_id,
            LiveSession.created_at,
            last.c.last,
            OutcomeRow.id,
            OutcomeRow.sharing,
            OutcomeRow.updated_at,
        )
        .outerjoin(last, last.c.session_id == LiveSession.id)
        .outerjoin(OutcomeRow, OutcomeRow.session_id == LiveSession.id)
    )
    sessions = [
        SessionAge(
            id=session_id,
            public_id=public_id,
            last_event=(
                dt.datetime.fromtimestamp(last_at, dt.UTC) if last_at is not None else created
            ),
            outcome_id=outcome_id,
            outcome_sharing=sharing,
            outcome_changed=changed,
        )
        for session_id, public_id, created, last_at, outcome_id, sharing, changed in rows
    ]
    orphans = [
        OutcomeAge(outcome_id, sharing, changed)
        for outcome_id, sharing, changed in await db.execute(
            select(OutcomeRow.id, OutcomeRow.sharing, OutcomeRow.updated_at).where(
                OutcomeRow.session_id.is_(None)
            )
        )
    ]
    decided = plan(sessions, orphans, now, days)
    audit = 0
    if decided.cutoff is not None:
        audit = int(
            await db.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.at < decided.cutoff)
            )
            or 0
        )
    return decided, audit
