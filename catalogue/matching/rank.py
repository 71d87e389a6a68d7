"""Matching: rank the catalogue's variants for a group's goals and constraints, with reasons.

Pure: no I/O. `match` ranks a `MatchRequest` (catalogue/matching/request.py validates it).
Reasons are message ids with parameters, so the same result is shown in Dutch or English where
it is rendered.

How a variant scores (0-100):
- goal fit: for each requested goal, its weight (normalised to sum 1) times how well the variant
  serves it, on 0..1. That "how well" is the curated weight (0-3, as 0..1) blended with the
  evidence from earlier sessions (catalogue/evidence/summary.py): with n sessions of mean
  attainment m, the evidence counts for n / (PRIOR_SESSIONS + n) and the curated weight for the
  rest: few sessions, the curated fit dominates; many, the evidence does. Every result says, per
  goal, how much each counted.
- then three soft factors, each at most 1: closeness of the group size to the variant's ideal,
  time available against the variant's typical duration, and how many of the roles present the
  variant suits.
Hard constraints exclude a variant, with every reason: group too small or too large, too little
time, a modality it does not work in, or none of the requested goals served at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from catalogue.matching.reasons import GoalRef, Label, Reason
from catalogue.matching.request import MatchRequest
from catalogue.variants.schema import Variant
from catalogue.vocabulary import MAX_WEIGHT, MODALITIES, ROLES, WEIGHT_LABELS
from server.i18n import N_

# The curated weight counts as much as this many sessions of evidence.
PRIOR_SESSIONS = 5.0
# Participants rate how well a goal was reached from 1 (not at all) to 5 (fully).
RATING_MIN = 1
RATING_MAX = 5
# How much a soft factor can take off at worst.
SIZE_PENALTY = 0.15
TIME_PENALTY = 0.20
ROLE_PENALTY = 0.40
# With this many times the typical duration available, the variant fills only part of the
# session: a small penalty, growing to LEFTOVER_PENALTY at six times.
LEFTOVER_RATIO = 3
LEFTOVER_PENALTY = 0.15


@dataclass(frozen=True, slots=True)
class Evidence:
    """What earlier sessions say about one variant and one goal (catalogue/evidence/summary.py).

    `mean`, `low` and `high` are attainment on 0..1 (a rating of 1 is 0, of 5 is 1); `low` and
    `high` bound a 90 % interval of the mean, None when one session gives no interval.
    """

    sessions: int
    mean: float
    low: float | None
    high: float | None
    level: str = "beschreven"  # "beschreven", "in gebruik" or "onderbouwd"
    regions: int = 0  # in how many regions the sessions were held

    @property
    def rating(self) -> float:
        """The mean on the 1-5 scale participants rated on."""
        return _on_scale(self.mean)

    @property
    def rating_low(self) -> float | None:
        return None if self.low is None else _on_scale(self.low)

    @property
    def rating_high(self) -> float | None:
        return None if self.high is None else _on_scale(self.high)

    @property
    def share(self) -> float:
        """How much this evidence counts in the goal's fit, 0..1; the curated weight the rest."""
        return self.sessions / (PRIOR_SESSIONS + self.sessions) if self.sessions > 0 else 0.0


def _on_scale(attained: float) -> float:
    return RATING_MIN + attained * (RATING_MAX - RATING_MIN)


EvidenceTable = Mapping[tuple[str, str], Evidence]  # (variant slug, goal slug) -> evidence


@dataclass(frozen=True, slots=True)
class Ranked:
    variant: Variant
    score: float  # 0..100
    goals: Mapping[str, float]  # goal slug -> contribution to the score, 0..100
    reasons: tuple[Reason, ...]
    evidence: Mapping[str, Evidence | None]


@dataclass(frozen=True, slots=True)
class Excluded:
    variant: Variant
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class MatchResult:
    results: tuple[Ranked, ...]
    excluded: tuple[Excluded, ...]


def match(
    variants: Sequence[Variant],
    request: MatchRequest,
    evidence: EvidenceTable | None = None,
) -> MatchResult:
    """Rank the variants that fit the request; list the others with every reason."""
    evidence = evidence or {}
    reasons = _Reasons(request)
    goals = tuple(request.goals)
    size, minutes, modality = request.group_size, request.minutes, request.modality
    results: list[Ranked] = []
    excluded: list[Excluded] = []
    for variant in variants:
        weights = variant.goals
        serves_a_goal = False
        for goal in goals:
            if weights.get(goal, 0):
                serves_a_goal = True
                break
        if (
            serves_a_goal
            and variant.group_min <= size <= variant.group_max
            and minutes >= variant.minutes_min
            and modality in variant.modalities
        ):
            results.append(_rank(variant, request, evidence, reasons))
            continue
        why = []
        if size < variant.group_min:
            why.append(reasons.too_small(variant.group_min))
        if size > variant.group_max:
            why.append(reasons.too_large(variant.group_max))
        if minutes < variant.minutes_min:
            why.append(reasons.too_short(variant.minutes_min))
        if modality not in variant.modalities:
            why.append(reasons.wrong_modality(variant.modalities))
        if not serves_a_goal:
            why.append(reasons.no_goal)
        excluded.append(Excluded(variant, tuple(why)))
    # Two stable sorts instead of one on (key, title) tuples: no tuple per variant.
    results.sort(key=_title)
    results.sort(key=_score, reverse=True)
    excluded.sort(key=_title)
    excluded.sort(key=_reason_count)
    return MatchResult(tuple(results), tuple(excluded))


def _title(item: Ranked | Excluded) -> str:
    return item.variant.title


def _score(item: Ranked) -> float:
    return item.score


def _reason_count(item: Excluded) -> int:
    return len(item.reasons)


class _Reasons:
    """The reasons for one request, each made once and shared by every variant it applies to.

    Thousands of variants share a few dozen distinct reasons; making each once keeps matching
    a large catalogue cheap (fewer objects, less work for the garbage collector). The hot ones
    are looked up before anything is built.
    """

    def __init__(self, request: MatchRequest):
        self.request = request
        self.memo: dict[object, Reason] = {}
        self.small: dict[int, Reason] = {}
        self.large: dict[int, Reason] = {}
        self.short: dict[int, Reason] = {}
        self.modality: dict[tuple[str, ...], Reason] = {}
        self.goals: dict[str, list[Reason | None]] = {g: [None] * 4 for g in request.goals}
        self.unrated: dict[str, Reason] = {}
        # Evidence reasons by (goal, sessions, mean in tenths): variants with the same numbers
        # share one, as with every other reason.
        self.rated: dict[tuple[str, int, int], Reason] = {}
        self.no_goal = Reason(N_("serves none of the chosen goals"))
        self.works = Reason(
            N_("works %(modality)s"), {"modality": Label(MODALITIES[request.modality])}
        )
        self.in_writing = Reason(N_("runs in writing over several days, not in one sitting"))

    def too_small(self, low: int) -> Reason:
        reason = self.small.get(low)
        if reason is None:
            reason = self.small[low] = Reason(
                N_("a group of %(size)s is smaller than the minimum of %(min)s"),
                {"size": self.request.group_size, "min": low},
            )
        return reason

    def too_large(self, high: int) -> Reason:
        reason = self.large.get(high)
        if reason is None:
            reason = self.large[high] = Reason(
                N_("a group of %(size)s is larger than the maximum of %(max)s"),
                {"size": self.request.group_size, "max": high},
            )
        return reason

    def too_short(self, least: int) -> Reason:
        reason = self.short.get(least)
        if reason is None:
            reason = self.short[least] = Reason(
                N_("%(minutes)s minutes is shorter than the %(min)s minutes it needs at least"),
                {"minutes": self.request.minutes, "min": least},
            )
        return reason

    def wrong_modality(self, modalities: tuple[str, ...]) -> Reason:
        reason = self.modality.get(modalities)
        if reason is None:
            reason = self.modality[modalities] = Reason(
                N_("does not work %(modality)s; it works: %(modalities)s"),
                {
                    "modality": Label(MODALITIES[self.request.modality]),
                    "modalities": tuple(Label(MODALITIES[m]) for m in modalities),
                },
            )
        return reason

    def goal(self, goal: str, weight: int) -> Reason:
        made = self.goals[goal]
        reason = made[weight]
        if reason is None:
            reason = made[weight] = Reason(
                N_("serves the goal %(goal)s %(strength)s (%(weight)s of 3)"),
                {"goal": GoalRef(goal), "strength": Label(WEIGHT_LABELS[weight]), "weight": weight},
            )
        return reason

    def size(self, variant: Variant) -> Reason:
        size = self.request.group_size
        if size == variant.group_ideal:
            key: object = "ideal"
            message = N_("a group of %(size)s is the ideal size")
        else:
            key = (variant.group_min, variant.group_max, variant.group_ideal)
            message = N_("a group of %(size)s fits (%(min)s to %(max)s, ideally %(ideal)s)")
        reason = self.memo.get(key)
        if reason is None:
            reason = self.memo[key] = Reason(
                message,
                {
                    "size": size,
                    "min": variant.group_min,
                    "max": variant.group_max,
                    "ideal": variant.group_ideal,
                },
            )
        return reason

    def time(self, variant: Variant) -> Reason:
        minutes, typical = self.request.minutes, variant.minutes_typical
        if minutes >= LEFTOVER_RATIO * typical:
            key: object = ("leftover", typical)
            message = N_(
                "it takes only about %(typical)s of your %(minutes)s minutes; "
                "combine it with another practice"
            )
        elif minutes >= typical:
            key = ("enough", typical)
            message = N_("%(minutes)s minutes is enough (it usually takes %(typical)s)")
        else:
            key = ("tight", typical, variant.minutes_min)
            message = N_(
                "%(minutes)s minutes is tight: it usually takes %(typical)s, at least %(min)s"
            )
        reason = self.memo.get(key)
        if reason is None:
            reason = self.memo[key] = Reason(
                message, {"minutes": minutes, "typical": typical, "min": variant.minutes_min}
            )
        return reason

    def roles(self, missing: tuple[str, ...]) -> Reason:
        reason = self.memo.get(missing)
        if reason is None:
            if missing:
                reason = Reason(
                    N_("suits less well for: %(roles)s"),
                    {"roles": tuple(Label(ROLES[r]) for r in missing)},
                )
            else:
                reason = Reason(
                    N_("suits everyone present: %(roles)s"),
                    {"roles": tuple(Label(ROLES[r]) for r in sorted(self.request.roles))},
                )
            self.memo[missing] = reason
        return reason

    def evidence(self, goal: str, found: Evidence) -> Reason:
        # The mean as whole units and tenths, so each language writes its own decimal mark.
        tenths = round(10 * found.rating)
        key = (goal, found.sessions, tenths)
        reason = self.rated.get(key)
        if reason is None:
            reason = self.rated[key] = self._evidence(goal, found.sessions, tenths, found.share)
        return reason

    def _evidence(self, goal: str, sessions: int, tenths: int, share_of_fit: float) -> Reason:
        share = round(100 * share_of_fit)
        if sessions == 1:
            message = N_(
                "experience with %(goal)s from 1 session: %(units)s.%(tenths)s of 5 "
                "(counts for %(share)s%%, the description for %(rest)s%%)"
            )
        else:
            message = N_(
                "experience with %(goal)s from %(sessions)s sessions: on average "
                "%(units)s.%(tenths)s of 5 (counts for %(share)s%%, the description for "
                "%(rest)s%%)"
            )
        return Reason(
            message,
            {
                "goal": GoalRef(goal),
                "sessions": sessions,
                "units": tenths // 10,
                "tenths": tenths % 10,
                "share": share,
                "rest": 100 - share,
            },
        )

    def no_evidence(self, goal: str) -> Reason:
        reason = self.unrated.get(goal)
        if reason is None:
            reason = self.unrated[goal] = Reason(
                N_(
                    "no experience with %(goal)s from earlier sessions yet: "
                    "the description counts for 100%%"
                ),
                {"goal": GoalRef(goal)},
            )
        return reason


def _rank(
    variant: Variant, request: MatchRequest, evidence: EvidenceTable, reasons: _Reasons
) -> Ranked:
    why: list[Reason] = []
    contributions: dict[str, float] = {}
    evidence_shown: dict[str, Evidence | None] = {}
    for goal, weight in request.goals.items():
        strength = variant.goals.get(goal, 0)
        fit = strength / MAX_WEIGHT
        found = evidence.get((variant.slug, goal)) if evidence else None
        why.append(reasons.goal(goal, strength))
        if found is not None and found.sessions > 0:
            share = found.share
            fit = (1 - share) * fit + share * found.mean
            why.append(reasons.evidence(goal, found))
        else:
            found = None
            why.append(reasons.no_evidence(goal))
        evidence_shown[goal] = found
        contributions[goal] = 100 * weight * fit

    why.append(reasons.size(variant))
    why.append(reasons.time(variant))
    why.append(reasons.works)
    if variant.asynchronous:
        why.append(reasons.in_writing)
    role_factor = 1.0
    if request.roles:
        missing = tuple(sorted(request.roles.difference(variant.roles)))
        role_factor = 1 - ROLE_PENALTY * len(missing) / len(request.roles)
        why.append(reasons.roles(missing))

    factor = (
        _size_factor(variant, request.group_size)
        * _time_factor(variant, request.minutes)
        * role_factor
    )
    score = round(sum(contributions.values()) * factor, 1)
    scaled = {goal: round(value * factor, 1) for goal, value in contributions.items()}
    return Ranked(variant, score, scaled, tuple(why), evidence_shown)


def _size_factor(variant: Variant, size: int) -> float:
    if size == variant.group_ideal:
        return 1.0
    if size < variant.group_ideal:
        span = variant.group_ideal - variant.group_min
        distance = (variant.group_ideal - size) / span if span else 0.0
    else:
        span = variant.group_max - variant.group_ideal
        distance = (size - variant.group_ideal) / span if span else 0.0
    return 1 - SIZE_PENALTY * distance


def _time_factor(variant: Variant, minutes: int) -> float:
    typical = variant.minutes_typical
    if minutes >= LEFTOVER_RATIO * typical:
        # Far more time than it takes: it fills only part of the session.
        return max(1 - LEFTOVER_PENALTY, 1 - LEFTOVER_PENALTY * (minutes / typical - 2) / 4)
    if minutes >= typical:
        return 1.0
    span = typical - variant.minutes_min
    shortfall = (typical - minutes) / span if span else 0.0
    return 1 - TIME_PENALTY * shortfall
