"""Reading trends: a group's outcomes and a region's shared ones, with their observations and
the consents as they stand now."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.outcomes.models import OutcomeRow
from sessions.groups.models import GroupSession
from sessions.harvest.answers import consents, narrowed
from sessions.models import HarvestResponse
from sessions.trends.models import TrendObservation


async def group_outcomes(db: AsyncSession, group_id: int) -> list[OutcomeRow]:
    """The outcomes of the group's sessions, in the order they were held."""
    rows = await db.scalars(
        select(OutcomeRow)
        .join(GroupSession, GroupSession.session_id == OutcomeRow.session_id)
        .where(GroupSession.group_id == group_id)
        .order_by(OutcomeRow.held_on, OutcomeRow.id)
    )
    return list(rows)


async def region_outcomes(db: AsyncSession, region_slug: str) -> list[OutcomeRow]:
    """The region's outcomes shared beyond their group, in the order they were held."""
    rows = await db.scalars(
        select(OutcomeRow)
        .where(OutcomeRow.region_slug == region_slug, OutcomeRow.sharing != "group")
        .order_by(OutcomeRow.held_on, OutcomeRow.id)
    )
    return list(rows)


async def observations(db: AsyncSession, outcome_ids: Collection[int]) -> list[TrendObservation]:
    if not outcome_ids:
        return []
    rows = await db.scalars(
        select(TrendObservation)
        .where(TrendObservation.outcome_id.in_(outcome_ids))
        .order_by(TrendObservation.id)
    )
    return list(rows)


async def consents_now(
    db: AsyncSession, outcomes: Collection[OutcomeRow]
) -> dict[int, dict[str, str]]:
    """outcome id -> participant -> consent: as frozen in the outcome, narrowed by any later
    change in the harvest (its session still there); a session gone keeps the frozen ones."""
    session_ids = [o.session_id for o in outcomes if o.session_id is not None]
    answers: dict[int, list[HarvestResponse]] = {sid: [] for sid in session_ids}
    if session_ids:
        for response in await db.scalars(
            select(HarvestResponse).where(HarvestResponse.session_id.in_(session_ids))
        ):
            answers[response.session_id].append(response)
    result = {}
    for outcome in outcomes:
        frozen = dict(outcome.consents or {})
        if outcome.session_id is not None:
            frozen = narrowed(frozen, consents(answers[outcome.session_id]))
        result[outcome.id] = frozen
    return result
