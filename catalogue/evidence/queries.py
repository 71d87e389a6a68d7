"""Reading the evidence: the goal ratings of every outcome, summed per variant and goal.

Every outcome counts, whatever its sharing level: only aggregates leave this module (how many
sessions and regions, a mean and an interval), never an outcome, its text or who rated. The
database adds up per (variant, goal) the sessions, their mean ratings and the squares of those,
and the distinct regions; catalogue/evidence/summary.py turns those sums into `Evidence`. Read once
per request that needs it: one grouped query, no cache to invalidate when an outcome is saved.
"""

from __future__ import annotations

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.evidence.summary import summarize
from catalogue.matching.rank import RATING_MAX, RATING_MIN, Evidence, EvidenceTable
from catalogue.outcomes.models import OutcomeRating, OutcomeRow


async def load_evidence(db: AsyncSession, variant: str | None = None) -> EvidenceTable:
    """Evidence per (variant slug, goal slug); only `variant`'s when given."""
    query = (
        select(
            OutcomeRow.variant_slug,
            OutcomeRating.goal_slug,
            func.count(),
            func.sum(OutcomeRating.mean),
            func.sum(OutcomeRating.mean * OutcomeRating.mean),
            func.count(distinct(OutcomeRow.region_slug)),
        )
        .join(OutcomeRow, OutcomeRow.id == OutcomeRating.outcome_id)
        .where(
            OutcomeRow.variant_slug.is_not(None),
            OutcomeRating.raters >= 1,
            OutcomeRating.mean.between(RATING_MIN, RATING_MAX),
        )
        .group_by(OutcomeRow.variant_slug, OutcomeRating.goal_slug)
    )
    if variant is not None:
        query = query.where(OutcomeRow.variant_slug == variant)
    table: dict[tuple[str, str], Evidence] = {}
    for slug, goal, sessions, total, squares, regions in await db.execute(query):
        found = summarize(int(sessions), float(total), float(squares), int(regions))
        if found is not None and slug is not None:
            table[(slug, goal)] = found
    return table
