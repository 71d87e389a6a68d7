"""Exploration: the one result worth trying because the catalogue could learn most from it.

Pure: no I/O. Ranking by the best guess alone never tries a practice that its description
undersells: it stays below the first places, is rarely chosen, and so never gathers the sessions
that would lift it. So besides the ranking, matching marks at most one result as a suggestion to
explore: of the results below the first that the catalogue knows less about than the first
(more `doubt`: the score's standard deviation) and whose `hope` (the score if each goal's fit
were `Model.optimism` standard deviations better: an upper confidence bound,
catalogue/matching/belief.py) beats the first result's score, the one with the most doubt: the
one the catalogue would learn most from that could still fit best. A result the catalogue is
sure of has little hope beyond its score and is not suggested; when nothing could beat the
first, or everything is as unknown as the first (no sessions anywhere yet), nothing is
suggested. The facilitator chooses; it never changes the ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from catalogue.matching.reasons import Reason
from server.i18n import N_

if TYPE_CHECKING:
    from catalogue.matching.rank import Ranked


def suggestion(results: Sequence[Ranked]) -> tuple[int, Reason] | None:
    """The index of the result to suggest (never 0) with why, or None. `results` in rank order."""
    if len(results) < 2:
        return None
    best, known = results[0].score, results[0].doubt
    chosen: int | None = None
    for index in range(1, len(results)):
        ranked = results[index]
        if (
            ranked.hope > best
            and ranked.doubt > known
            and (chosen is None or ranked.doubt > results[chosen].doubt)
        ):
            chosen = index
    if chosen is None:
        return None
    return chosen, Reason(
        N_(
            "worth trying: the catalogue knows less about it than about number 1, and it may fit "
            "better (up to %(hope)s points, against %(best)s). When you try it and the group "
            "rates it in the harvest, the catalogue learns from it"
        ),
        {"hope": round(results[chosen].hope), "best": round(best)},
    )
