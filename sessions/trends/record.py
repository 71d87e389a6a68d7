"""Writing a session's observations when its outcome is saved (each save rewrites them)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from sessions.groups import queries as group_queries
from sessions.models import HarvestResponse
from sessions.state import State
from sessions.trends.models import TrendObservation
from sessions.trends.observe import observations


async def record(
    db: AsyncSession,
    outcome_id: int,
    session_id: int,
    state: State,
    responses: Iterable[HarvestResponse],
) -> int:
    """Replace the outcome's observations with those of the session's final state and harvest,
    each with its participant's member id when they are a group member; commit. How many."""
    members = await group_queries.members_of_session(db, session_id)
    found = observations(state, {r.participant: r.ratings for r in responses})
    await db.execute(delete(TrendObservation).where(TrendObservation.outcome_id == outcome_id))
    db.add_all(
        TrendObservation(
            outcome_id=outcome_id,
            participant=o.participant,
            member_id=members.get(o.participant),
            measure=o.measure,
            x=o.x,
            y=o.y,
        )
        for o in found
    )
    await db.commit()
    return len(found)
