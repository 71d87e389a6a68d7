"""Retention, the rule: what is old enough to go, and what stays (pure; actions.py acts).

A session is *done* at its last activity: its last event, or the last change to its outcome
when that came later (a facilitator may compose weeks after the session). Once that is more
than the retention period ago (`WERKPLAATS_RETENTION_DAYS`, default 365 days):

- the session goes: its event log (display names, notes, chat), its snapshot and its harvest
  responses (ratings, takeaways, consents), after its participants' names were erased from
  everything that stays (actions.py erases through server/app.py domain_eraser);
- its outcome stays when it was shared beyond the group (region, national or open): the
  catalogue's evidence, the library and curriculum modules reuse it, its participants
  consented to that, and what leaves the group passed the sharing gate. It stays as it left
  the group: participants are ids, their names erased, its texts the sharing gate's version.
  An outcome kept at "group" served only that group and goes with the session;
- an outcome whose session is already gone goes on the same terms, from its last change;
- audit entries older than the period go (they hold ids and counts, never names, but they
  are a record of who did what).

See docs/privacy.md, "Retention", for the processing register.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

# Outcomes at these levels left the group with their participants' consent (the sharing gate
# applied): kept after their session goes. "group" is not among them.
SHARED_LEVELS = frozenset({"region", "national", "open"})


@dataclass(frozen=True)
class SessionAge:
    """A session as the rule needs it."""

    id: int
    public_id: str
    last_event: dt.datetime  # its last event, or its creation when it has none
    outcome_id: int | None = None
    outcome_sharing: str | None = None
    outcome_changed: dt.datetime | None = None

    @property
    def last_activity(self) -> dt.datetime:
        if self.outcome_changed is not None and self.outcome_changed > self.last_event:
            return self.outcome_changed
        return self.last_event


@dataclass(frozen=True)
class OutcomeAge:
    """An outcome whose session is gone (deleted earlier, by hand or by retention)."""

    id: int
    sharing: str
    changed: dt.datetime


@dataclass
class RetentionPlan:
    """What a run of retention removes (ids), decided from the ages alone."""

    cutoff: dt.datetime | None  # None: keep everything (retention switched off)
    sessions: list[SessionAge] = field(default_factory=list)  # erase their people, then delete
    outcomes_deleted: list[int] = field(default_factory=list)
    outcomes_kept: list[int] = field(default_factory=list)  # shared: stay, pseudonymous

    @property
    def empty(self) -> bool:
        return not (self.sessions or self.outcomes_deleted)


def cutoff(now: dt.datetime, days: int) -> dt.datetime | None:
    """Everything last active before this goes; None when days is 0 (keep everything)."""
    if days == 0:
        return None
    return now - dt.timedelta(days=days)


def plan(
    sessions: Iterable[SessionAge],
    orphans: Iterable[OutcomeAge],
    now: dt.datetime,
    days: int,
) -> RetentionPlan:
    """Which sessions and outcomes go, and which outcomes stay without their session."""
    limit = cutoff(now, days)
    result = RetentionPlan(limit)
    if limit is None:
        return result
    for session in sorted(sessions, key=lambda s: s.id):
        if session.last_activity >= limit:
            continue
        result.sessions.append(session)
        if session.outcome_id is None:
            continue
        if session.outcome_sharing in SHARED_LEVELS:
            result.outcomes_kept.append(session.outcome_id)
        else:
            result.outcomes_deleted.append(session.outcome_id)
    for outcome in sorted(orphans, key=lambda o: o.id):
        if outcome.changed < limit and outcome.sharing not in SHARED_LEVELS:
            result.outcomes_deleted.append(outcome.id)
    return result
