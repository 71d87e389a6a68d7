"""Retention, the run: read the ages (queries.py), apply the rule (rule.py), delete, erase
the names in what stays, rewrite the database files without old copies."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, exists, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catalogue.outcomes.gate import plain
from catalogue.outcomes.models import KnowledgeQuestion, OutcomeRow, OutcomeText
from server.bus import Bus
from server.db import purge_old_copies
from server.erasure import ErasureAsk, ErasureError, Person
from server.models import AuditEntry, LoginSession
from sessions.erase import PEOPLE_TYPES, names_by_participant
from sessions.groups.models import GroupAction, GroupMember, SessionMember
from sessions.models import LiveSession, SessionEvent
from sessions.retention.queries import read_plan
from sessions.retention.rule import RetentionPlan, SessionAge

# What a run may delete rows of: rewritten without old copies afterwards (server.db).
TABLES = (
    "live_sessions",
    "session_events",
    "session_snapshots",
    "harvest_responses",
    "trend_observations",
    "group_sessions",
    "session_members",
    "group_members",
    "group_actions",
    "outcomes",
    "outcome_ratings",
    "knowledge_questions",
    "outcome_texts",
    "audit_log",
    "login_sessions",
)


@dataclass
class RetentionReport:
    """What a run removed (or, dry, would remove): counts and ids, never contents."""

    days: int
    dry_run: bool
    plan: RetentionPlan
    audit_entries: int = 0
    logins: int = 0  # expired logins (token hashes) deleted
    participants_erased: int = 0  # names erased from the outcomes that stay
    purge_complete: bool = True
    public_ids: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return not self.plan.empty or self.audit_entries > 0

    def lines(self) -> list[str]:
        if self.plan.cutoff is None:
            return ["retention is off (WERKPLAATS_RETENTION_DAYS=0): nothing is deleted"]
        day = self.plan.cutoff.date().isoformat()
        lines = [f"retention: {self.days} days; removing what was last active before {day}"]
        verb = "would delete" if self.dry_run else "deleted"
        lines.append(
            f"{verb}: {len(self.plan.sessions)} session(s) with their events, snapshots and "
            f"harvests; {len(self.plan.outcomes_deleted)} outcome(s) not shared beyond the "
            f"group; {self.audit_entries} audit entr{'y' if self.audit_entries == 1 else 'ies'}"
        )
        if self.logins:
            lines.append(f"deleted: {self.logins} expired login(s)")
        kept = len(self.plan.outcomes_kept)
        if kept:
            done = "would be" if self.dry_run else "were"
            lines.append(
                f"kept: {kept} shared outcome(s), pseudonymous (the names of their "
                f"participants {done} erased from them"
                + (f": {self.participants_erased} participant(s))" if not self.dry_run else ")")
            )
        if self.public_ids:
            lines.append("sessions: " + ", ".join(self.public_ids))
        if not (self.changed or self.logins):
            lines.append("nothing to delete")
        if not self.purge_complete:
            lines.append(
                "warning: a transaction begun before was still running: old copies may remain "
                "in the database files until the next run"
            )
        return lines


async def retain(
    db: async_sessionmaker[AsyncSession],
    days: int,
    *,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    bus: Bus | None = None,
) -> RetentionReport:
    """Apply the retention rule once (see sessions/retention/rule.py); `now` for tests."""
    now = now or dt.datetime.now(dt.UTC)
    async with db() as session:
        decided, audit = await read_plan(session, now, days)
    report = RetentionReport(days, dry_run, decided, audit)
    report.public_ids = [s.public_id for s in decided.sessions]
    if dry_run or decided.cutoff is None:
        return report
    # The names of the participants of a session whose outcome stays are erased from it first,
    # with the erasure a person can ask for (same matcher, same tables, an audit entry each).
    kept = set(decided.outcomes_kept)
    for old in decided.sessions:
        if old.outcome_id in kept:
            report.participants_erased += await _erase_people(db, old, bus)
    async with db() as session:
        engine = session.bind
        assert isinstance(engine, AsyncEngine)
        if engine.dialect.name == "sqlite":
            # What this connection deletes is overwritten with zeros in the file.
            await session.execute(text("PRAGMA secure_delete = ON"))
            await session.commit()
        async with session.begin():
            if decided.outcomes_deleted:
                ids = decided.outcomes_deleted
                # The library's index first: on SQLite its FTS5 copy follows outcome_texts.
                await session.execute(delete(OutcomeText).where(OutcomeText.outcome_id.in_(ids)))
                await session.execute(delete(OutcomeRow).where(OutcomeRow.id.in_(ids)))
            if decided.outcomes_kept:
                await _keep_only_what_left_the_group(session, decided.outcomes_kept)
            if decided.sessions:
                # Events, snapshots and harvest responses go with it (ON DELETE CASCADE); a
                # kept outcome loses only its link (ON DELETE SET NULL).
                await session.execute(
                    delete(LiveSession).where(LiveSession.id.in_([s.id for s in decided.sessions]))
                )
                await _forget_group_history(session)
            await session.execute(delete(AuditEntry).where(AuditEntry.at < decided.cutoff))
            # Expired logins are never used again (a logout deletes only its own); they say
            # when someone logged in.
            expired = await session.execute(
                delete(LoginSession).where(LoginSession.expires_at < now)
            )
            report.logins = int(getattr(expired, "rowcount", 0) or 0)
    if report.changed or report.logins:
        report.purge_complete = await purge_old_copies(engine, TABLES)
    return report


async def _forget_group_history(session: AsyncSession) -> None:
    """What groups keep of the sessions just deleted: the actions agreed in them (their texts
    may name people; their statuses were in those logs) and the members who were in no other
    session of their group (the name they joined with). The group itself stays."""
    await session.execute(delete(GroupAction).where(GroupAction.session_id.is_(None)))
    await session.execute(
        delete(GroupMember).where(~exists().where(SessionMember.member_id == GroupMember.member_id))
    )


async def _keep_only_what_left_the_group(session: AsyncSession, ids: list[int]) -> None:
    """A kept outcome's texts become the version that left the group (`OutcomeRow.gated`:
    participants as "Deelnemer A", what the sharing gate found replaced, hidden words hidden),
    and the facilitator's review (which lists the hidden words) goes: with its session gone,
    there is no group left to read the texts as written."""
    rows = await session.scalars(select(OutcomeRow).where(OutcomeRow.id.in_(ids)))
    for row in rows:
        gated: dict[str, Any] | None = row.gated
        if not gated or gated.get("gate") is None:
            continue  # never gated, so never shown beyond the group: only the erasure applies
        # The gate keeps participants as mentions that each shared version names; what stays
        # names them as the gate did for the whole outcome ("Deelnemer A"), the group's own view
        # included (no display names are left to name them by).
        row.title = _named(gated, str(gated.get("title") or ""))[:120]
        row.summary = _named(gated, str(gated.get("summary") or ""))
        row.insights = _named(gated, str(gated.get("insights") or ""))
        row.actions = _named(gated, str(gated.get("actions") or ""))
        row.products = _named(gated, copy.deepcopy(list(gated.get("products") or [])))
        row.captured = _named(gated, copy.deepcopy(dict(gated.get("captured") or {})))
        row.review = None
        questions = await session.scalars(
            select(KnowledgeQuestion).where(KnowledgeQuestion.outcome_id == row.id)
        )
        for question in questions:
            if question.shared_text is not None:
                question.text = question.shared_text


def _named(gated: Mapping[str, Any], value: Any) -> Any:
    """`value` (a gated text, or JSON holding them) with each participant's mention replaced by
    the pseudonym the gate gave them (catalogue.outcomes.gate.plain)."""
    if isinstance(value, str):
        return plain(gated, value)
    if isinstance(value, list):
        return [_named(gated, item) for item in value]
    if isinstance(value, dict):
        return {key: _named(gated, item) for key, item in value.items()}
    return value


async def _erase_people(
    db: async_sessionmaker[AsyncSession], old: SessionAge, bus: Bus | None
) -> int:
    """Erase every participant of `old` from it and its outcome; how many had a name."""
    from server.app import domain_eraser

    erase = domain_eraser()
    async with db() as session:
        rows = (
            await session.execute(
                select(SessionEvent.session_id, SessionEvent.body).where(
                    SessionEvent.session_id == old.id, SessionEvent.type.in_(PEOPLE_TYPES)
                )
            )
        ).all()
    participants = sorted(names_by_participant(rows).get(old.id, {}))
    erased = 0
    for participant in participants:
        ask = ErasureAsk(
            Person("participant", f"{old.public_id}:{participant}"),
            actor="retention",
            journal=None,  # not a person's request: a restore runs retention again instead
            purge=False,  # once, at the end of the run
        )
        try:
            report = await erase(db, ask, None, bus)
        except ErasureError:  # gone meanwhile
            continue
        erased += int(report.changed)
    return erased
