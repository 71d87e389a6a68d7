"""The knowledge agenda of a region: the open questions its sessions' outcomes put on it.

A question is part of its outcome's content, so it is shown as widely as the outcome is shared:
to everyone when the outcome is shared at region level or wider, otherwise only to coordinators.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.outcome_models import SHARING_LEVELS, KnowledgeQuestion, OutcomeRow

# Sharing levels at which an outcome's questions are on the public agenda.
PUBLIC_SHARING = SHARING_LEVELS[SHARING_LEVELS.index("region") :]


@dataclass(frozen=True)
class AgendaItem:
    id: int
    text: str
    held_on: dt.datetime  # when the session that raised it was held
    outcome: str  # the outcome's public id
    outcome_title: str
    sharing: str
    addressed_at: dt.datetime | None


@dataclass(frozen=True)
class Agenda:
    open: tuple[AgendaItem, ...]
    addressed: tuple[AgendaItem, ...]


async def load_agenda(db: AsyncSession, region: str, everything: bool) -> Agenda:
    """The region's questions, newest session first; only publicly shared ones unless
    `everything` (a coordinator)."""
    query = (
        select(KnowledgeQuestion, OutcomeRow)
        .join(OutcomeRow, OutcomeRow.id == KnowledgeQuestion.outcome_id)
        .where(KnowledgeQuestion.region_slug == region)
        .order_by(OutcomeRow.held_on.desc(), KnowledgeQuestion.id)
    )
    if not everything:
        query = query.where(OutcomeRow.sharing.in_(PUBLIC_SHARING))
    items = [
        AgendaItem(
            id=question.id,
            text=question.text,
            held_on=outcome.held_on,
            outcome=outcome.public_id,
            outcome_title=outcome.title,
            sharing=outcome.sharing,
            addressed_at=question.addressed_at,
        )
        for question, outcome in await db.execute(query)
    ]
    return Agenda(
        open=tuple(item for item in items if item.addressed_at is None),
        addressed=tuple(item for item in items if item.addressed_at is not None),
    )


async def load_question(
    db: AsyncSession, region: str, question_id: int
) -> KnowledgeQuestion | None:
    """One question on this region's agenda (None when it is not there)."""
    question = await db.get(KnowledgeQuestion, question_id)
    if question is None or question.region_slug != region:
        return None
    return question
