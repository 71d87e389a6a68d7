"""Evidence: what the goal ratings of earlier sessions say about a variant and a goal.

Pure: no I/O. Each session's harvest gives, per goal, the mean of its participants' ratings
(1-5) and how many rated (`OutcomeRating`), and the outcome says where the session was held (its
way of meeting and group size). Per (variant, goal) this module makes an `Evidence`: how many
sessions, in how many regions, the mean attainment, a 90 % interval of that mean, the spread
between sessions, the sessions per situation, and a level of practical experience ("weinig
ervaring", "in gebruik", "goed beoordeeld"). docs/matching.md explains the choices and numbers.

- Every session counts once, whatever the number of raters: the unit that varies is the session
  (its group, facilitator, day), and ratings within one session are not independent of each
  other. A session of 40 would otherwise outweigh eight sessions of five.
- A session that stands far from all the others is set aside (`set_aside`): one afternoon that
  went wrong (or a facilitator who typed 1 for 5) must not undo six consistent sessions. Far is
  more than OUTLIER_DISTANCE robust spreads from the median, with at least OUTLIER_OTHERS other
  sessions, unless it agrees with at least OUTLIER_OTHERS_HERE sessions in its own situation: a
  way of working that fails on site but works online is a finding, not an outlier.
- The interval is Student's t interval of the mean of the kept session means. One session gives
  no interval (a spread cannot be measured from one point): `low` and `high` are None.
- The spread between sessions is taken as at least `MIN_SPREAD` rating points: a few sessions
  that happen to agree exactly would otherwise claim a certainty they do not have.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from catalogue.matching.belief import (
    RATING_MAX,
    RATING_MIN,
    Evidence,
    Situation,
    SituationTally,
    size_band,
)
from server.formatting import format_number
from server.i18n import N_

MIN_SPREAD = 0.5  # rating points: the least standard deviation between sessions assumed

# Levels of practical experience, lowest first: the keys are what the API and `Evidence.level`
# carry. Not the Dutch recognition levels for interventions (Movisie, NJi: "goed beschreven",
# "goed onderbouwd", "effectief"), which weigh theory and research: these come from how
# participants rated sessions, and their words say so.
LITTLE = "weinig ervaring"
IN_USE = "in gebruik"
RATED_WELL = "goed beoordeeld"
LEVELS = (LITTLE, IN_USE, RATED_WELL)
LEVEL_LABELS = {
    LITTLE: N_("little experience"),
    IN_USE: N_("in use"),
    RATED_WELL: N_("rated well in practice"),
}
# "in gebruik": used in at least this many sessions, in at least this many regions.
IN_USE_SESSIONS = 3
IN_USE_REGIONS = 2
# "goed beoordeeld": in use, in at least this many sessions, and the interval's lower bound (on
# the 1-5 scale) at least this high: consistently good attainment, not one good afternoon.
RATED_WELL_SESSIONS = 5
RATED_WELL_LOW = 3.5
# A session is set aside when it lies more than this many robust spreads (1.4826 x the median
# absolute deviation, at least MIN_SPREAD) from the median of all sessions, there are at least
# OUTLIER_OTHERS other sessions, and it does not agree with OUTLIER_OTHERS_HERE or more sessions
# held in its own situation.
OUTLIER_DISTANCE = 3.0
OUTLIER_OTHERS = 5
OUTLIER_OTHERS_HERE = 2

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
    """One session's rating of one goal, with the variant it ran, its region and its situation."""

    variant: str
    goal: str
    region: str | None
    raters: int
    mean: float  # 1..5
    modality: str | None = None  # "online", "hybrid" or "on-site"; None: not known
    group_size: int | None = None  # how many took part; None: not known


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
    """The level of experience; `low` is the interval's lower bound on 1..5 (None: none)."""
    if sessions < IN_USE_SESSIONS or regions < IN_USE_REGIONS:
        return LITTLE
    if sessions >= RATED_WELL_SESSIONS and low is not None and low >= RATED_WELL_LOW:
        return RATED_WELL
    return IN_USE


def summarize(
    sessions: int,
    total: float,
    squares: float,
    regions: int,
    situations: tuple[SituationTally, ...] = (),
    aside: tuple[SituationTally, ...] = (),
) -> Evidence | None:
    """Evidence from the sums over kept sessions of their mean ratings (1..5) and its squares."""
    if sessions < 1:
        return None
    mean = total / sessions
    mean = min(RATING_MAX, max(RATING_MIN, mean))
    low: float | None = None
    high: float | None = None
    spread: float | None = None
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
        spread=None if spread is None else spread / (RATING_MAX - RATING_MIN),
        situations=situations,
        aside=aside,
    )


class _Held(NamedTuple):
    mean: float  # 1..5
    region: str | None
    situation: Situation


def set_aside(held: list[_Held]) -> list[bool]:
    """Which of one variant x goal's sessions stand so far from the others that they are set
    aside (see the module's docstring)."""
    if len(held) <= OUTLIER_OTHERS:
        return [False] * len(held)
    means = [h.mean for h in held]
    centre = statistics.median(means)
    reach = OUTLIER_DISTANCE * _robust_spread(means, centre)
    aside = []
    for index, h in enumerate(held):
        if abs(h.mean - centre) <= reach:
            aside.append(False)
            continue
        here = [o.mean for i, o in enumerate(held) if i != index and o.situation == h.situation]
        agrees = len(here) >= OUTLIER_OTHERS_HERE and abs(
            h.mean - statistics.median(here)
        ) <= OUTLIER_DISTANCE * _robust_spread(here, statistics.median(here))
        aside.append(not agrees)
    return aside


def _robust_spread(values: list[float], centre: float) -> float:
    """1.4826 x the median absolute deviation (the standard deviation for normal data), at least
    MIN_SPREAD."""
    return max(MIN_SPREAD, 1.4826 * statistics.median(abs(v - centre) for v in values))


def evidence_table(ratings: Iterable[SessionRating]) -> dict[tuple[str, str], Evidence]:
    """Evidence per (variant slug, goal slug) from each session's rating of each goal.

    Ratings nobody gave (0 raters) or off the 1-5 scale are not evidence and are left out.
    """
    held: dict[tuple[str, str], list[_Held]] = {}
    # One Situation object per distinct situation: a large table holds few distinct ones.
    situations: dict[tuple[str | None, str | None], Situation] = {}
    for row in ratings:
        if not counts(row.raters, row.mean):
            continue
        where = (row.modality, size_band(row.group_size))
        situation = situations.get(where)
        if situation is None:
            situation = situations[where] = Situation(*where)
        held.setdefault((row.variant, row.goal), []).append(_Held(row.mean, row.region, situation))
    table: dict[tuple[str, str], Evidence] = {}
    for key, sessions in held.items():
        found = _summarize_held(sessions)
        if found is not None:
            table[key] = found
    return table


def _summarize_held(held: list[_Held]) -> Evidence | None:
    aside = set_aside(held)
    tally = _Tally()
    per_situation: dict[Situation, list[float]] = {}
    per_situation_aside: dict[Situation, list[float]] = {}
    for h, out in zip(held, aside, strict=True):
        if out:
            per_situation_aside.setdefault(h.situation, []).append(attainment(h.mean))
            continue
        tally.sessions += 1
        tally.total += h.mean
        tally.squares += h.mean * h.mean
        if h.region:
            tally.regions.add(h.region)
        per_situation.setdefault(h.situation, []).append(attainment(h.mean))
    return summarize(
        tally.sessions,
        tally.total,
        tally.squares,
        len(tally.regions),
        _tallies(per_situation),
        _tallies(per_situation_aside),
    )


def _tallies(per_situation: Mapping[Situation, list[float]]) -> tuple[SituationTally, ...]:
    return tuple(
        SituationTally(situation, len(values), sum(values))
        for situation, values in per_situation.items()
    )


@dataclass
class _Tally:
    sessions: int = 0
    total: float = 0.0
    squares: float = 0.0
    regions: set[str] = field(default_factory=set)


def for_variant(table: Mapping[tuple[str, str], Evidence], variant: str) -> dict[str, Evidence]:
    """One variant's evidence, by goal slug."""
    return {goal: found for (slug, goal), found in table.items() if slug == variant}


def format_rating(value: float, language: str) -> str:
    """A rating with one decimal, in the reader's notation: "4,2" in Dutch, "4.2" in English."""
    return format_number(value, 1, language)
