"""Evidence: what the goal ratings of earlier sessions say about a variant and a goal.

Pure: no I/O. Each session's harvest gives, per goal, the mean of its participants' ratings
(1-5) and how many rated (`OutcomeRating`). Per (variant, goal) this module makes an
`Evidence`: how many sessions, in how many regions, the mean attainment, a 90 % interval of
that mean, and a level ("beschreven", "in gebruik", "onderbouwd"). docs/matching.md explains
the choices and the numbers.

- Every session counts once, whatever the number of raters: the unit that varies is the session
  (its group, facilitator, day), and ratings within one session are not independent of each
  other. A session of 40 would otherwise outweigh eight sessions of five.
- The interval is Student's t interval of the mean of the session means. One session gives no
  interval (a spread cannot be measured from one point): `low` and `high` are None.
- The spread between sessions is taken as at least `MIN_SPREAD` rating points: a few sessions
  that happen to agree exactly would otherwise claim a certainty they do not have.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from catalogue.matching.rank import RATING_MAX, RATING_MIN, Evidence
from server.formatting import format_number
from server.i18n import N_

MIN_SPREAD = 0.5  # rating points: the least standard deviation between sessions assumed

# Levels, lowest first: the keys are what the API and `Evidence.level` carry.
DESCRIBED = "beschreven"
IN_USE = "in gebruik"
SUBSTANTIATED = "onderbouwd"
LEVELS = (DESCRIBED, IN_USE, SUBSTANTIATED)
LEVEL_LABELS = {
    DESCRIBED: N_("described"),
    IN_USE: N_("in use"),
    SUBSTANTIATED: N_("substantiated"),
}
# "in gebruik": used in at least this many sessions, in at least this many regions.
IN_USE_SESSIONS = 3
IN_USE_REGIONS = 2
# "onderbouwd": in use, in at least this many sessions, and the interval's lower bound (on the
# 1-5 scale) at least this high: consistently good attainment, not one good afternoon.
SUBSTANTIATED_SESSIONS = 5
SUBSTANTIATED_LOW = 3.5

# Student's t, the 95th percentile (a two-sided 90 % interval), by degrees of freedom 1..30.
_T95 = (
    6.314,
    2.920,
    2.353,
    2.132,
    2.015,
    1.943,
    1.895,
    1.860,
    1.833,
    1.812,
    1.796,
    1.782,
    1.771,
    1.761,
    1.753,
    1.746,
    1.740,
    1.734,
    1.729,
    1.725,
    1.721,
    1.717,
    1.714,
    1.711,
    1.708,
    1.706,
    1.703,
    1.701,
    1.699,
    1.697,
)
_Z95 = 1.6448536269514722


class SessionRating(NamedTuple):
    """One session's rating of one goal, with the variant it ran and its region."""

    variant: str
    goal: str
    region: str | None
    raters: int
    mean: float  # 1..5


def t95(degrees: int) -> float:
    """Student's t at the 95th percentile: a two-sided 90 % interval's multiplier."""
    if degrees < 1:
        raise ValueError("a t interval needs at least one degree of freedom")
    if degrees <= len(_T95):
        return _T95[degrees - 1]
    # Beyond the table the Cornish-Fisher expansion around the normal is accurate to 1e-4.
    z, v = _Z95, float(degrees)
    return z + (z**3 + z) / (4 * v) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)


def attainment(rating: float) -> float:
    """A rating on 1..5 as attainment on 0..1 (1 is not reached at all, 5 fully)."""
    return (rating - RATING_MIN) / (RATING_MAX - RATING_MIN)


def counts(raters: int, mean: float) -> bool:
    """Whether a session's rating is evidence: somebody rated, and the mean is on the scale."""
    return raters >= 1 and math.isfinite(mean) and RATING_MIN <= mean <= RATING_MAX


def level(sessions: int, regions: int, low: float | None) -> str:
    """The level of evidence; `low` is the interval's lower bound on 1..5 (None: no interval)."""
    if sessions < IN_USE_SESSIONS or regions < IN_USE_REGIONS:
        return DESCRIBED
    if sessions >= SUBSTANTIATED_SESSIONS and low is not None and low >= SUBSTANTIATED_LOW:
        return SUBSTANTIATED
    return IN_USE


def summarize(sessions: int, total: float, squares: float, regions: int) -> Evidence | None:
    """Evidence from the sums over sessions of their mean ratings (1..5) and of its squares.

    Sums rather than the sessions themselves, so a database can add them up (GROUP BY).
    """
    if sessions < 1:
        return None
    mean = total / sessions
    mean = min(RATING_MAX, max(RATING_MIN, mean))
    low: float | None = None
    high: float | None = None
    if sessions > 1:
        variance = max(0.0, (squares - sessions * mean * mean) / (sessions - 1))
        spread = max(MIN_SPREAD, math.sqrt(variance))
        margin = t95(sessions - 1) * spread / math.sqrt(sessions)
        low = max(float(RATING_MIN), mean - margin)
        high = min(float(RATING_MAX), mean + margin)
    return Evidence(
        sessions=sessions,
        mean=attainment(mean),
        low=None if low is None else attainment(low),
        high=None if high is None else attainment(high),
        level=level(sessions, regions, low),
        regions=regions,
    )


@dataclass
class _Tally:
    sessions: int = 0
    total: float = 0.0
    squares: float = 0.0
    regions: set[str] = field(default_factory=set)


def evidence_table(ratings: Iterable[SessionRating]) -> dict[tuple[str, str], Evidence]:
    """Evidence per (variant slug, goal slug) from each session's rating of each goal.

    Ratings nobody gave (0 raters) or off the 1-5 scale are not evidence and are left out.
    """
    tallies: dict[tuple[str, str], _Tally] = {}
    for row in ratings:
        if not counts(row.raters, row.mean):
            continue
        tally = tallies.setdefault((row.variant, row.goal), _Tally())
        tally.sessions += 1
        tally.total += row.mean
        tally.squares += row.mean * row.mean
        if row.region:
            tally.regions.add(row.region)
    table: dict[tuple[str, str], Evidence] = {}
    for key, tally in tallies.items():
        found = summarize(tally.sessions, tally.total, tally.squares, len(tally.regions))
        if found is not None:
            table[key] = found
    return table


def for_variant(table: Mapping[tuple[str, str], Evidence], variant: str) -> dict[str, Evidence]:
    """One variant's evidence, by goal slug."""
    return {goal: found for (slug, goal), found in table.items() if slug == variant}


def format_rating(value: float, language: str) -> str:
    """A rating with one decimal, in the reader's notation: "4,2" in Dutch, "4.2" in English."""
    return format_number(value, 1, language)
