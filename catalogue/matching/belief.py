"""How well a variant serves a goal, and how sure the catalogue is of it.

Pure: no I/O. A normal model of attainment (0..1) per variant x goal, in three parts:

- the prior: the curated weight (0-3 as 0..1), worth `prior_sessions` sessions of the typical
  spread between sessions;
- the data: the sessions' mean ratings as attainment, each session once (a session that stands
  far from all the others is set aside: catalogue/evidence/summary.py), and a session held in
  another situation than the one asked for (another way of meeting, another group size) counts
  for less: `other_modality` and `other_size` of a session in the same situation (a power
  prior: what happened elsewhere informs, but does not speak for, this situation);
- the prior is shifted by what the practice's sessions showed on its other goals (wherever
  held): a practice its description undersells is usually undersold on more than one goal;
- the result, a `Belief`: the fit used for ranking (the precision-weighted mean of prior and
  data), its standard deviation (how sure), how much the sessions counted, and how many sessions
  it rests on in this situation and elsewhere.

docs/matching.md explains the model with the simulation that chose its numbers (bench/discovery.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

# Participants rate how well a goal was reached from 1 (not at all) to 5 (fully).
RATING_MIN = 1
RATING_MAX = 5
# The curated weight counts as much as this many sessions of typical spread.
PRIOR_SESSIONS = 2.0
# The spread between sessions assumed where it cannot be measured (fewer than two sessions),
# and the spread of the prior's sessions: 0.8 rating points, as attainment.
TYPICAL_SPREAD = 0.8 / (RATING_MAX - RATING_MIN)
# The least spread between sessions assumed: a few sessions that happen to agree exactly would
# otherwise claim a certainty they do not have. 0.5 rating points, as attainment.
LEAST_SPREAD = 0.5 / (RATING_MAX - RATING_MIN)
# What a session held in another situation counts for, against one in the situation asked for.
OTHER_MODALITY = 0.5
OTHER_SIZE = 0.5
# Group sizes in bands: a session of 6 says more about a group of 8 than about one of 40.
SIZE_BANDS = ((8, "small"), (20, "medium"))  # up to 8, 9 to 20; larger is "large"
LARGE = "large"


def size_band(group_size: int | None) -> str | None:
    """The band of a group size: "small" (up to 8), "medium" (9-20) or "large"; None unknown."""
    if group_size is None:
        return None
    for most, band in SIZE_BANDS:
        if group_size <= most:
            return band
    return LARGE


# Situation and SituationTally are named tuples of plain values, not classes: the garbage
# collector stops tracking such tuples, and an evidence table holds one per variant x goal x
# situation (bench/matching.py measures what the collector costs).


class Situation(NamedTuple):
    """Where sessions were held: the way of meeting and the group size band (None: unknown)."""

    modality: str | None
    band: str | None


class SituationTally(NamedTuple):
    """The kept sessions of one variant x goal in one situation."""

    situation: Situation
    sessions: int
    total: float  # the sum of their attainments (0..1)

    @property
    def mean(self) -> float:
        return self.total / self.sessions


@dataclass(frozen=True, slots=True)
class Evidence:
    """What earlier sessions say about one variant and one goal (catalogue/evidence/summary.py).

    `mean`, `low` and `high` are attainment on 0..1 over all situations (a rating of 1 is 0, of
    5 is 1); `low` and `high` bound a 90 % interval of the mean, None when one session gives no
    interval. `spread` is the standard deviation between sessions (0..1, at least LEAST_SPREAD),
    None below two sessions. `situations` holds the sessions per situation; without it every
    session counts as held in the situation asked for. The sessions in `aside` stood far from
    all the others and count for nothing (they are not in `sessions`).
    """

    sessions: int
    mean: float
    low: float | None
    high: float | None
    level: str = "weinig ervaring"  # "weinig ervaring", "in gebruik" or "goed beoordeeld"
    regions: int = 0  # in how many regions the sessions were held
    spread: float | None = None
    situations: tuple[SituationTally, ...] = ()
    aside: tuple[SituationTally, ...] = ()  # the sessions set aside, per situation

    @property
    def set_aside(self) -> int:
        """How many sessions were set aside."""
        return sum(tally.sessions for tally in self.aside)

    @property
    def rating(self) -> float:
        """The mean on the 1-5 scale participants rated on."""
        return on_scale(self.mean)

    @property
    def rating_low(self) -> float | None:
        return None if self.low is None else on_scale(self.low)

    @property
    def rating_high(self) -> float | None:
        return None if self.high is None else on_scale(self.high)


def on_scale(attained: float) -> float:
    """Attainment on 0..1 as a rating on 1..5."""
    return RATING_MIN + attained * (RATING_MAX - RATING_MIN)


@dataclass(frozen=True, slots=True)
class Model:
    """The model's settings. `Model()` is what the catalogue uses; the simulation benchmark
    (bench/discovery.py) also runs the earlier ones as baselines (CURATED_ONLY, BLENDING)."""

    use_evidence: bool = True
    prior_sessions: float = PRIOR_SESSIONS
    other_modality: float = OTHER_MODALITY
    other_size: float = OTHER_SIZE
    use_spread: bool = True  # weigh sessions by their measured spread
    robust: bool = True  # leave out the sessions set aside as outliers
    # How much a practice's other goals say about this one: their difference from the
    # description shifts this goal's prior, shrunk as if this many sessions showed none.
    # 0: each goal on its own.
    lift_sessions: float = 2.0
    explore: bool = True  # offer one suggestion to learn from (catalogue/matching/explore.py)
    optimism: float = 1.5  # standard deviations of hope an exploration suggestion may rest on


# The curated weights alone: no evidence.
CURATED_ONLY = Model(use_evidence=False, lift_sessions=0.0, explore=False)
# Evidence as blended from December 2026 until the model above: the description worth five
# sessions, every session alike wherever it was held, no spread, no exploration.
BLENDING = Model(
    prior_sessions=5.0,
    other_modality=1.0,
    other_size=1.0,
    use_spread=False,
    robust=False,
    lift_sessions=0.0,
    explore=False,
)


@dataclass(frozen=True, slots=True)
class Belief:
    """The model's belief about one variant x goal, for one situation."""

    fit: float  # 0..1: what ranking uses
    sd: float  # its standard deviation: how sure
    share: float  # how much the sessions counted in `fit` (0..1), the description the rest
    sessions: float  # the sessions it rests on, those held elsewhere discounted
    here: int  # sessions held in this very situation (or of unknown situation)


def prior_belief(curated: float, model: Model) -> Belief:
    """The belief before any session: the description alone."""
    return Belief(curated, TYPICAL_SPREAD / math.sqrt(model.prior_sessions), 0.0, 0.0, 0)


def believe(
    curated: float, found: Evidence | None, asked: Situation, model: Model, lift: float = 0.0
) -> Belief:
    """The belief for `asked` from the curated fit (0..1) and the sessions in `found`; `lift`
    shifts the prior by what the practice's other goals showed (`practice_lift`)."""
    return belief_from(curated, found, sessions_for(found, asked, model), model, lift)


def belief_from(
    curated: float,
    found: Evidence | None,
    data: tuple[float, float, int] | None,
    model: Model,
    lift: float = 0.0,
) -> Belief:
    """`believe`, with the sessions as they count already worked out (`sessions_for`)."""
    prior = min(1.0, max(0.0, curated + lift))
    if data is None or found is None:
        return prior_belief(prior, model)
    weight, data_mean, here = data
    spread = TYPICAL_SPREAD
    if model.use_spread and found.spread is not None:
        spread = max(LEAST_SPREAD, found.spread)
    prior_precision = model.prior_sessions / TYPICAL_SPREAD**2
    data_precision = weight / spread**2
    precision = prior_precision + data_precision
    fit = (prior_precision * prior + data_precision * data_mean) / precision
    return Belief(fit, 1 / math.sqrt(precision), data_precision / precision, weight, here)


def sessions_for(
    found: Evidence | None, asked: Situation, model: Model
) -> tuple[float, float, int] | None:
    """The sessions as they count for `asked`: their weight (sessions held elsewhere
    discounted), their weighted mean attainment, and how many were held in `asked` itself.
    None when there are none (or the model uses no evidence)."""
    if found is None or found.sessions < 1 or not model.use_evidence:
        return None
    tallies = found.situations if model.robust else found.situations + found.aside
    if not tallies:
        return float(found.sessions), found.mean, found.sessions
    weight = 0.0
    total = 0.0
    here = 0
    for tally in tallies:
        counts = _likeness(tally.situation, asked, model)
        weight += counts * tally.sessions
        total += counts * tally.total
        if counts == 1.0:
            here += tally.sessions
    return weight, total / weight, here


def practice_lift(weight: float, difference: float, model: Model) -> float:
    """How much better (or worse) than described a practice did on its other goals: the sum of
    (attained - curated) x sessions over those goals is `difference`, of the sessions `weight`;
    shrunk toward 0 as if `lift_sessions` sessions had shown no difference."""
    if weight <= 0 or not model.lift_sessions:
        return 0.0
    return difference / (model.lift_sessions + weight)


def _likeness(held: Situation, asked: Situation, model: Model) -> float:
    """What a session held in `held` counts for in `asked`; unknown is taken as alike."""
    counts = 1.0
    if held.modality is not None and asked.modality is not None and held.modality != asked.modality:
        counts *= model.other_modality
    if held.band is not None and asked.band is not None and held.band != asked.band:
        counts *= model.other_size
    return counts
