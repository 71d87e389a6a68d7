"""Exploration: the one result worth trying because the catalogue could learn most from it.

Pure: no I/O. Ranking by the best guess alone never tries a practice that its description
undersells: it stays below the first places, is rarely chosen, and so never gathers the sessions
that would lift it. So besides the ranking, matching marks at most one result as a suggestion to
explore: of the results below the first whose `hope` (the score if each goal's fit were
`Model.optimism` standard deviations better: catalogue/matching/belief.py) beats the first
result's score, the one with the highest hope (an upper confidence bound). A result the
catalogue is sure of has little hope beyond its score and is not suggested; when nothing could
beat the first, nothing is suggested. The facilitator chooses; it never changes the ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from catalogue.matching.reasons import Reason
from server.i18n import N_

FROM = 1

if TYPE_CHECKING:
    from catalogue.matching.rank import Ranked


def suggestion(results: Sequence[Ranked]) -> tuple[int, Reason] | None:
    """The index of the result to suggest (never 0) with why, or None. `results` in rank order."""
    if len(results) < 2:
        return None
    best = results[0].score
    chosen: int | None = None
    for index in range(FROM, len(results)):
        ranked = results[index]
        if ranked.hope > best and (chosen is None or ranked.doubt > results[chosen].doubt):
            chosen = index
    if chosen is None:
        return None
    return chosen, Reason(
        N_(
            "worth trying: there is little experience with it for these goals yet, and it may "
            "fit better than number 1 (up to %(hope)s points, against %(best)s). When you try "
            "it and the group rates it in the harvest, the catalogue learns from it"
        ),
        {"hope": round(results[chosen].hope), "best": round(best)},
    )
