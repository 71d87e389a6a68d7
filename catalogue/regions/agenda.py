"""The knowledge agenda of a region: the open questions its sessions' outcomes put on it.

A question is part of its outcome's content, so it is shown, with its outcome's title and link,
exactly to those who may read the outcome (catalogue.library.access.may_read, the library's and the
outcome page's rule): "open" to everyone, "national" to every account, "region" to the members
of the outcome's region; coordinators see every question of the agenda (the page marks who else
does). docs/knowledge-agenda.md.

Beyond the group a text is shown only as the sharing gate made it (catalogue/outcomes/gate.py): the
question's `shared_text` and the outcome's gated title (`OutcomeRow.gated["title"]`), to
coordinators too. A question not gated yet is shown to coordinators only, without its text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.library.access import may_read, memberships_of
from catalogue.outcomes.gate import title_of
from catalogue.outcomes.models import KnowledgeQuestion, OutcomeRow
from server.models import Role, User


@dataclass(frozen=True)
class AgendaItem:
    id: int
    text: str | None  # as it leaves the group (through the gate); None: not gated yet
    held_on: dt.datetime  # when the session that raised it was held
    outcome: str  # the outcome's public id
    outcome_title: str | None  # the gated title; None: not gated yet
    sharing: str
    addressed_at: dt.datetime | None


@dataclass(frozen=True)
class Agenda:
    open: tuple[AgendaItem, ...]
    addressed: tuple[AgendaItem, ...]


async def load_agenda(db: AsyncSession, region: str, user: User | None) -> Agenda:
    """The region's questions that `user` (None: a visitor) may see, newest session first:
    those of the outcomes `user` may read; every question for a coordinator."""
    query = (
        select(KnowledgeQuestion, OutcomeRow)
        .join(OutcomeRow, OutcomeRow.id == KnowledgeQuestion.outcome_id)
        .where(KnowledgeQuestion.region_slug == region)
        .order_by(OutcomeRow.held_on.desc(), KnowledgeQuestion.id)
    )
    everything = user is not None and user.has_role(Role.COORDINATOR)
    memberships = await memberships_of(db, user)
    if not everything:
        query = query.where(OutcomeRow.sharing != "group")
    items = [
        AgendaItem(
            id=question.id,
            text=question.shared_text,
            held_on=outcome.held_on,
            outcome=outcome.public_id,
            outcome_title=_gated_title(outcome),
            sharing=outcome.sharing,
            addressed_at=question.addressed_at,
        )
        for question, outcome in await db.execute(query)
        if everything
        or (
            may_read(user, outcome, memberships)
            and question.shared_text is not None
            and _gated_title(outcome) is not None
        )
    ]
    return Agenda(
        open=tuple(item for item in items if item.addressed_at is None),
        addressed=tuple(item for item in items if item.addressed_at is not None),
    )


def _gated_title(outcome: OutcomeRow) -> str | None:
    return title_of(outcome.gated)


async def load_question(
    db: AsyncSession, region: str, question_id: int
) -> KnowledgeQuestion | None:
    """One question on this region's agenda (None when it is not there)."""
    question = await db.get(KnowledgeQuestion, question_id)
    if question is None or question.region_slug != region:
        return None
    return question
