"""Reading the evidence: the goal ratings of every outcome, one row per session and goal.

Every outcome counts, whatever its sharing level: only aggregates leave this module (how many
sessions and regions, a mean and an interval, the sessions per situation and how many were set
aside), never an outcome, its text or who rated. The database gives one row per (outcome, goal
rating) with the outcome's variant, region and situation (its way of meeting and group size);
catalogue/evidence/summary.py keeps them per situation, sets aside a session that stands far
from all the others (which needs each session's mean, not sums) and makes `Evidence`. Read once
per request that needs it: one query, no cache to invalidate when an outcome is saved.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.evidence.summary import SessionRating, evidence_table
from catalogue.matching.rank import RATING_MAX, RATING_MIN, EvidenceTable
from catalogue.outcomes.models import OutcomeRating, OutcomeRow


async def load_evidence(db: AsyncSession, variant: str | None = None) -> EvidenceTable:
    """Evidence per (variant slug, goal slug); only `variant`'s when given."""
    query = (
        select(
            OutcomeRow.variant_slug,
            OutcomeRating.goal_slug,
            OutcomeRow.region_slug,
            OutcomeRating.raters,
            OutcomeRating.mean,
            OutcomeRow.modality,
            OutcomeRow.group_size,
        )
        .join(OutcomeRow, OutcomeRow.id == OutcomeRating.outcome_id)
        .where(
            OutcomeRow.variant_slug.is_not(None),
            OutcomeRating.raters >= 1,
            OutcomeRating.mean.between(RATING_MIN, RATING_MAX),
        )
        # A fixed order: the same outcomes give the same table, row for row, on every backend.
        .order_by(OutcomeRow.id, OutcomeRating.goal_slug)
    )
    if variant is not None:
        query = query.where(OutcomeRow.variant_slug == variant)
    rows = await db.execute(query)
    return evidence_table(
        SessionRating(
            variant=slug,
            goal=goal,
            region=region,
            raters=int(raters),
            mean=float(mean),
            modality=modality,
            group_size=group_size,
        )
        for slug, goal, region, raters, mean, modality, group_size in rows
        if slug is not None
    )
