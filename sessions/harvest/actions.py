"""Storing a participant's harvest answer (and following a changed consent at once)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.outcomes.actions import set_consent
from catalogue.outcomes.models import CONSENT_LEVELS
from server.audit import record
from server.db import utcnow
from sessions.harvest.answers import NO_CONSENT, Answer
from sessions.models import HarvestResponse, LiveSession


async def save_response(
    db: AsyncSession,
    session_row: LiveSession,
    participant: str,
    answer: Answer,
    *,
    actor: str = "participant",
    actor_id: int | None = None,
) -> str | None:
    """Store a participant's answer, replacing their earlier one, in one transaction (committed
    here). A changed consent level is recorded in the audit log with the same commit ("old ->
    new"; no earlier answer counts as "no"). Returns the earlier consent level, None for a
    first answer. Check the answer (`check`) and the participant (`refusal`) first.
    """
    if answer.consent not in CONSENT_LEVELS:
        raise ValueError(f"unknown consent level {answer.consent!r}")
    for attempt in range(2):
        earlier = await db.scalar(
            select(HarvestResponse)
            .where(
                HarvestResponse.session_id == session_row.id,
                HarvestResponse.participant == participant,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        old = earlier.consent if earlier is not None else None
        if (old or NO_CONSENT) != answer.consent:
            # An outcome composed earlier follows a narrower consent at once, so what leaves the
            # group later (the page, the library, module exports) honours it; a wider one
            # waits until the facilitator composes again (docs/outcomes.md).
            # (Before the new row is added: this query would flush it early.)
            await set_consent(db, session_row.id, participant, answer.consent)
        if earlier is None:
            row = HarvestResponse(session_id=session_row.id, participant=participant)
            db.add(row)
        else:
            row = earlier
        row.ratings = dict(answer.ratings)
        row.takeaway = answer.takeaway
        row.consent = answer.consent
        row.updated_at = utcnow()
        if (old or NO_CONSENT) != answer.consent:
            record(
                db,
                "consent.change",
                f"session:{session_row.public_id}/{participant}",
                actor=actor,
                actor_id=actor_id,
                detail=f"{old or NO_CONSENT} -> {answer.consent}",
            )
        try:
            await db.commit()
        except IntegrityError:
            # Two first answers at once (two tabs): the other one won; replace it.
            await db.rollback()
            if attempt:
                raise
            continue
        return old
    raise AssertionError("unreachable")
