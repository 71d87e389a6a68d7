"""Reading harvest answers: a session's, or one participant's."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sessions.models import HarvestResponse


async def responses(db: AsyncSession, session_id: int) -> list[HarvestResponse]:
    """Every participant's harvest answer for a session, by participant id."""
    rows = await db.scalars(
        select(HarvestResponse)
        .where(HarvestResponse.session_id == session_id)
        .order_by(HarvestResponse.participant)
    )
    return list(rows)


async def response_of(
    db: AsyncSession, session_id: int, participant: str
) -> HarvestResponse | None:
    """One participant's answer, if they gave one."""
    return await db.scalar(
        select(HarvestResponse).where(
            HarvestResponse.session_id == session_id,
            HarvestResponse.participant == participant,
        )
    )
