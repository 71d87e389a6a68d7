"""Matching: rank the catalogue's variants for a group's goals and constraints, with reasons.

Pure: no I/O. `match` ranks a `MatchRequest` (catalogue/matching/request.py validates it).
Reasons are message ids with parameters, so the same result is shown in Dutch or English where
it is rendered.

How a variant scores (0-100):
- goal fit: for each requested goal, its weight (normalised to sum 1) times how well the variant
  serves it, on 0..1: the model's belief (catalogue/matching/belief.py), the curated weight
  (0-3, as 0..1) as a prior and the sessions held so far as data, those held in another
  situation than the request's counting for less. Every result says, per goal, how much each
  counted, and in one sentence how sure the catalogue is (catalogue/matching/certainty.py).
- then three soft factors, each at most 1: closeness of the group size to the variant's ideal,
  time available against the variant's typical duration, and how many of the roles present the
  variant suits.
Hard constraints exclude a variant, with every reason: group too small or too large, too little
time, a modality it does not work in, or none of the requested goals served at all.
The results are in rank order; at most one of them below the first is marked `explore`: the
suggestion to try that the catalogue could learn most from (catalogue/matching/explore.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from catalogue.matching.belief import (
    PRIOR_SESSIONS,
    RATING_MAX,
    RATING_MIN,
    Belief,
    Evidence,
    Model,
    Situation,
    belief_from,
    practice_lift,
    sessions_for,
    size_band,
)
from catalogue.matching.certainty import certainty
from catalogue.matching.explore import suggestion
from catalogue.matching.reasons import GoalRef, Label, Reason
from catalogue.matching.request import MatchRequest
from catalogue.variants.schema import Variant
from catalogue.vocabulary import MAX_WEIGHT, MODALITIES, ROLES, WEIGHT_LABELS
from server.i18n import N_

__all__ = [
    "PRIOR_SESSIONS",
    "RATING_MAX",
    "RATING_MIN",
    "Evidence",
    "EvidenceTable",
    "Excluded",
    "MatchResult",
    "Model",
    "Ranked",
    "match",
    "soft_factor",
]

# How much a soft factor can take off at worst.
SIZE_PENALTY = 0.15
TIME_PENALTY = 0.20
ROLE_PENALTY = 0.40
# With this many times the typical duration available, the variant fills only part of the
# session: a small penalty, growing to LEFTOVER_PENALTY at six times.
LEFTOVER_RATIO = 3
LEFTOVER_PENALTY = 0.15
# A lift from the practice's other goals of at least this much (0..1) is named in the reasons.
LIFT_SHOWN = 0.01

EvidenceTable = Mapping[tuple[str, str], Evidence]  # (variant slug, goal slug) -> evidence
MODEL = Model()  # the model the catalogue uses
ANYWHERE = Situation(None, None)


class _Context(NamedTuple):
    """What ranking one request needs beside the variant, made once per request."""

    request: MatchRequest
    evidence: EvidenceTable  # empty when the model uses no evidence
    reasons: _Reasons
    asked: Situation
    model: Model


class _Explanation:
    """The parts of a result that are made only when read: its reasons, its contributions per
    goal, the evidence and beliefs behind them. A page shows a few results while a large
    catalogue ranks thousands; ranking needs only the score, hope and doubt."""

    __slots__ = ("context", "made", "variant")

    def __init__(self, variant: Variant, context: _Context) -> None:
        self.variant = variant
        self.context = context
        self.made: _Explained | None = None

    def get(self) -> _Explained:
        if self.made is None:
            self.made = _explain(self.variant, self.context)
        return self.made


class _Explained(NamedTuple):
    goals: Mapping[str, float]
    reasons: tuple[Reason, ...]
    evidence: Mapping[str, Evidence | None]
    beliefs: Mapping[str, Belief]


@dataclass(frozen=True, slots=True)
class Ranked:
    variant: Variant
    score: float  # 0..100
    # The score if every goal's fit were `Model.optimism` standard deviations better: how well
    # it might turn out, given how little is known.
    hope: float
    # The score's standard deviation, in points: how unsure the catalogue is of it.
    doubt: float
    # The request's goal weights and situation, for `certainty`.
    weights: Mapping[str, float]
    situation: Situation
    why: _Explanation = dataclasses.field(repr=False, compare=False)
    # The suggestion to try (at most one, never the first), with why.
    explore: bool = False
    explore_reason: Reason | None = None

    @property
    def goals(self) -> Mapping[str, float]:
        """Goal slug -> its contribution to the score, 0..100."""
        return self.why.get().goals

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self.why.get().reasons

    @property
    def evidence(self) -> Mapping[str, Evidence | None]:
        """Goal slug -> the sessions' evidence that counted for this request, None if none."""
        return self.why.get().evidence

    @property
    def beliefs(self) -> Mapping[str, Belief]:
        """Goal slug -> the model's belief for the request's situation."""
        return self.why.get().beliefs

    @property
    def certainty(self) -> tuple[Reason, ...]:
        """How sure the catalogue is of this result, in one or two sentences."""
        return certainty(self.weights, self.evidence, self.beliefs, self.situation)


@dataclass(frozen=True, slots=True)
class Excluded:
    variant: Variant
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class MatchResult:
    results: tuple[Ranked, ...]  # in rank order; at most one marked `explore`, never the first
    excluded: tuple[Excluded, ...]

    @property
    def suggestion(self) -> Ranked | None:
        """The result marked to explore, if any."""
        for ranked in self.results:
            if ranked.explore:
                return ranked
        return None


def match(
    variants: Sequence[Variant],
    request: MatchRequest,
    evidence: EvidenceTable | None = None,
    model: Model = MODEL,
) -> MatchResult:
    """Rank the variants that fit the request; list the others with every reason; mark at
    most one result below the first as the suggestion to explore (when `model.explore`)."""
    reasons = _Reasons(request)
    asked = Situation(request.modality, size_band(request.group_size))
    use = evidence if evidence and model.use_evidence else {}
    context = _Context(request, use, reasons, asked, model)
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
            results.append(_rank(variant, context))
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
    if model.explore:
        chosen = suggestion(results)
        if chosen is not None:
            index, worth_it = chosen
            results[index] = dataclasses.replace(
                results[index], explore=True, explore_reason=worth_it
            )
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
        self.rated: dict[tuple[str, int, int, int], Reason] = {}
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

    def evidence(self, goal: str, found: Evidence, belief: Belief) -> Reason:
        # The mean as whole units and tenths, so each language writes its own decimal mark.
        tenths = round(10 * found.rating)
        share = round(100 * belief.share)
        key = (goal, found.sessions, tenths, share)
        reason = self.rated.get(key)
        if reason is None:
            reason = self.rated[key] = self._evidence(goal, found.sessions, tenths, share)
        return reason

    def _evidence(self, goal: str, sessions: int, tenths: int, share: int) -> Reason:
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

    def lift(self, goal: str, better: bool, sessions: int) -> Reason:
        key = ("lift", goal, better, sessions)
        reason = self.memo.get(key)
        if reason is None:
            if better:
                message = N_(
                    "on its other goals this practice did better than described "
                    "(%(sessions)s sessions): so %(goal)s is estimated higher too"
                )
            else:
                message = N_(
                    "on its other goals this practice did worse than described "
                    "(%(sessions)s sessions): so %(goal)s is estimated lower too"
                )
            reason = self.memo[key] = Reason(message, {"sessions": sessions, "goal": GoalRef(goal)})
        return reason

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


class _GoalBelief(NamedTuple):
    """The belief in one requested goal of one variant, and what it rests on."""

    goal: str
    weight: float  # the goal's share of the request, 0..1
    strength: int  # the curated weight, 0-3
    found: Evidence | None  # the sessions that count for the request's situation
    belief: Belief
    lift: float  # the shift from the practice's other goals (belief.practice_lift)
    lift_sessions: float  # the sessions on other goals that lift rests on


def _goal_beliefs(variant: Variant, context: _Context) -> list[_GoalBelief]:
    """The model's belief in each requested goal of `variant`, in the request's order."""
    evidence, model, asked = context.evidence, context.model, context.asked
    slug, curated = variant.slug, variant.goals
    lookup = evidence.get
    # The lift: how far the practice's sessions, on all its goals and wherever held, lay from
    # its description (belief.practice_lift); each requested goal then leaves out its own.
    lift_weight = lift_difference = 0.0
    if evidence and model.lift_sessions:
        for goal, strength in curated.items():
            found = lookup((slug, goal))
            if found is not None:
                lift_weight += found.sessions
                lift_difference += found.sessions * (found.mean - strength / MAX_WEIGHT)
    beliefs = []
    for goal, weight in context.request.goals.items():
        strength = curated.get(goal, 0)
        found = lookup((slug, goal)) if evidence else None
        data = sessions_for(found, asked, model) if found is not None else None
        if data is None:
            found = None
        lift = own_weight = 0.0
        if lift_weight:
            own_difference = 0.0
            if found is not None and goal in curated:
                own_weight = found.sessions
                own_difference = own_weight * (found.mean - strength / MAX_WEIGHT)
            lift = practice_lift(lift_weight - own_weight, lift_difference - own_difference, model)
        belief = belief_from(strength / MAX_WEIGHT, found, data, model, lift)
        beliefs.append(
            _GoalBelief(goal, weight, strength, found, belief, lift, lift_weight - own_weight)
        )
    return beliefs


def _rank(variant: Variant, context: _Context) -> Ranked:
    """Score, hope and doubt; the rest is made when read (`_explain`)."""
    fit = hopes = doubts = 0.0
    optimism = context.model.optimism
    for item in _goal_beliefs(variant, context):
        belief = item.belief
        fit += 100 * item.weight * belief.fit
        hopes += 100 * item.weight * min(1.0, belief.fit + optimism * belief.sd)
        doubts += 100 * item.weight * belief.sd
    factor = soft_factor(variant, context.request)
    return Ranked(
        variant,
        round(fit * factor, 1),
        round(hopes * factor, 1),
        round(doubts * factor, 1),
        context.request.goals,
        context.asked,
        _Explanation(variant, context),
    )


def _explain(variant: Variant, context: _Context) -> _Explained:
    """A result's reasons, contributions per goal, evidence and beliefs."""
    reasons, request = context.reasons, context.request
    why: list[Reason] = []
    factor = soft_factor(variant, request)
    goals: dict[str, float] = {}
    evidence: dict[str, Evidence | None] = {}
    beliefs: dict[str, Belief] = {}
    for item in _goal_beliefs(variant, context):
        goal, found = item.goal, item.found
        why.append(reasons.goal(goal, item.strength))
        if found is not None:
            why.append(reasons.evidence(goal, found, item.belief))
        else:
            why.append(reasons.no_evidence(goal))
        if abs(item.lift) >= LIFT_SHOWN:
            why.append(reasons.lift(goal, item.lift > 0, round(item.lift_sessions)))
        goals[goal] = round(100 * item.weight * item.belief.fit * factor, 1)
        evidence[goal] = found
        beliefs[goal] = item.belief
    why.append(reasons.size(variant))
    why.append(reasons.time(variant))
    why.append(reasons.works)
    if variant.asynchronous:
        why.append(reasons.in_writing)
    if request.roles:
        why.append(reasons.roles(_missing_roles(variant, request)))
    return _Explained(goals, tuple(why), evidence, beliefs)


def soft_factor(variant: Variant, request: MatchRequest) -> float:
    """What the soft factors (group size, time, roles) leave of the goal fit, 0..1."""
    role_factor = 1.0
    if request.roles:
        role_factor = 1 - ROLE_PENALTY * len(_missing_roles(variant, request)) / len(request.roles)
    return (
        _size_factor(variant, request.group_size)
        * _time_factor(variant, request.minutes)
        * role_factor
    )


def _missing_roles(variant: Variant, request: MatchRequest) -> tuple[str, ...]:
    return tuple(sorted(request.roles.difference(variant.roles)))


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
