"""Reading outcomes: one by its public id or its session, with its ratings and questions; lists."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.outcomes.composition import Outcome
from catalogue.outcomes.models import (
    KnowledgeQuestion,
    OutcomeRating,
    OutcomeRow,
)


async def load_outcome(db: AsyncSession, public_id: str) -> Outcome | None:
    """The outcome with this public id, with its ratings and questions; None if there is none."""
    row = await db.scalar(select(OutcomeRow).where(OutcomeRow.public_id == public_id))
    return await complete(db, row) if row is not None else None


async def outcome_of_session(db: AsyncSession, session_id: int) -> Outcome | None:
    """The outcome composed for a session, if any."""
    row = await db.scalar(select(OutcomeRow).where(OutcomeRow.session_id == session_id))
    return await complete(db, row) if row is not None else None


async def complete(db: AsyncSession, row: OutcomeRow) -> Outcome:
    ratings = await db.scalars(
        select(OutcomeRating)
        .where(OutcomeRating.outcome_id == row.id)
        .order_by(OutcomeRating.goal_slug)
    )
    questions = await db.scalars(
        select(KnowledgeQuestion)
        .where(KnowledgeQuestion.outcome_id == row.id)
        .order_by(KnowledgeQuestion.id)
    )
    return Outcome(row, list(ratings), list(questions))


async def list_outcomes(
    db: AsyncSession,
    *,
    variant: str | None = None,
    region: str | None = None,
    sharing: Sequence[str] | None = None,
    limit: int = 100,
) -> list[OutcomeRow]:
    """Outcomes, newest first; optionally of one variant, one region, or these sharing levels."""
    query = select(OutcomeRow)
    if variant is not None:
        query = query.where(OutcomeRow.variant_slug == variant)
    if region is not None:
        query = query.where(OutcomeRow.region_slug == region)
    if sharing is not None:
        query = query.where(OutcomeRow.sharing.in_(list(sharing)))
    query = query.order_by(OutcomeRow.held_on.desc(), OutcomeRow.id.desc()).limit(limit)
    return list(await db.scalars(query))
