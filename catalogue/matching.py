"""Matching: rank the catalogue's variants for a group's goals and constraints, with reasons.

Pure: no I/O. `validate_request` turns raw input (JSON or a form) into a `MatchRequest` or a
list of problems; `match` ranks. Reasons are message ids with parameters, so the same result
is shown in Dutch or English where it is rendered.

How a variant scores (0-100):
- goal fit: for each requested goal, its weight (normalised to sum 1) times how well the variant
  serves it, on 0..1. That "how well" is the curated weight (0-3, as 0..1) blended with the
  evidence from earlier sessions: with n sessions of mean attainment m, the blend is
  (PRIOR_SESSIONS * curated + n * m) / (PRIOR_SESSIONS + n): few sessions, the curated fit
  dominates; many, the evidence does.
- then three soft factors, each at most 1: closeness of the group size to the variant's ideal,
  time available against the variant's typical duration, and how many of the roles present the
  variant suits.
Hard constraints exclude a variant, with every reason: group too small or too large, too little
time, a modality it does not work in, or none of the requested goals served at all.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from catalogue.content import Problem, Variant
from catalogue.vocabulary import MAX_WEIGHT, MODALITIES, ROLES, WEIGHT_LABELS
from server.i18n import N_

MAX_GROUP_SIZE = 1000
MAX_MINUTES = 60 * 24
PRIOR_SESSIONS = 5.0
# How much a soft factor can take off at worst.
SIZE_PENALTY = 0.15
TIME_PENALTY = 0.20
ROLE_PENALTY = 0.40


@dataclass(frozen=True)
class Label:
    """A word to translate where the reason is shown (a message id)."""

    message: str


@dataclass(frozen=True)
class GoalRef:
    """A goal, shown by its name in the reader's language."""

    slug: str


@dataclass(frozen=True)
class Reason:
    """A sentence for a facilitator: an English message id and its parameters."""

    message: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class MatchRequest:
    goals: Mapping[str, float]  # goal slug -> weight, summing to 1
    group_size: int
    minutes: int
    modality: str
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Evidence:
    """What earlier sessions say about one variant and one goal (attainment on 0..1)."""

    sessions: int
    mean: float
    low: float
    high: float


EvidenceTable = Mapping[tuple[str, str], Evidence]  # (variant slug, goal slug) -> evidence


@dataclass(frozen=True)
class Ranked:
    variant: Variant
    score: float  # 0..100
    goals: Mapping[str, float]  # goal slug -> contribution to the score, 0..100
    reasons: tuple[Reason, ...]
    evidence: Mapping[str, Evidence | None]


@dataclass(frozen=True)
class Excluded:
    variant: Variant
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class MatchResult:
    results: tuple[Ranked, ...]
    excluded: tuple[Excluded, ...]


def validate_request(data: Any, goal_slugs: Sequence[str]) -> MatchRequest | list[Problem]:
    """A MatchRequest from raw input, or every problem with it."""
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        return [Problem("(body)", N_("must be a JSON object with the fields of a match request"))]
    allowed = ("goals", "group_size", "minutes", "modality", "roles")
    for key in data:
        if key not in allowed:
            problems.append(
                Problem(
                    key, N_("unknown field; allowed: %(allowed)s"), {"allowed": ", ".join(allowed)}
                )
            )
    goals = _goals(data.get("goals"), goal_slugs, problems)
    group_size = _whole(data, "group_size", 1, MAX_GROUP_SIZE, problems)
    minutes = _whole(data, "minutes", 1, MAX_MINUTES, problems)
    modality = data.get("modality")
    if modality is None:
        problems.append(
            Problem(
                "modality",
                N_("missing; choose one of: %(allowed)s"),
                {"allowed": ", ".join(MODALITIES)},
            )
        )
    elif not isinstance(modality, str) or modality not in MODALITIES:
        problems.append(
            Problem(
                "modality",
                N_("unknown modality '%(value)s'; allowed: %(allowed)s"),
                {"value": _short(modality), "allowed": ", ".join(MODALITIES)},
            )
        )
    roles_raw = data.get("roles", [])
    roles: set[str] = set()
    if not isinstance(roles_raw, list) or not all(isinstance(r, str) for r in roles_raw):
        problems.append(
            Problem(
                "roles",
                N_("must be a list of roles; allowed: %(allowed)s"),
                {"allowed": ", ".join(ROLES)},
            )
        )
    else:
        for role in roles_raw:
            if role not in ROLES:
                problems.append(
                    Problem(
                        "roles",
                        N_("unknown role '%(value)s'; allowed: %(allowed)s"),
                        {"value": _short(role), "allowed": ", ".join(ROLES)},
                    )
                )
            roles.add(role)
    if problems:
        return problems
    assert goals is not None and group_size is not None and minutes is not None
    return MatchRequest(goals, group_size, minutes, str(modality), frozenset(roles))


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _whole(
    data: Mapping[str, Any], key: str, low: int, high: int, problems: list[Problem]
) -> int | None:
    value = data.get(key)
    if value is None:
        problems.append(
            Problem(
                key,
                N_("missing; give a whole number from %(low)s to %(high)s"),
                {"low": low, "high": high},
            )
        )
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(
            Problem(
                key,
                N_("must be a whole number from %(low)s to %(high)s, not %(value)s"),
                {"low": low, "high": high, "value": _short(repr(value))},
            )
        )
        return None
    if value < low:
        problems.append(
            Problem(
                key,
                N_("%(value)s is too small; the least allowed is %(low)s"),
                {"value": value, "low": low},
            )
        )
        return None
    if value > high:
        problems.append(
            Problem(
                key,
                N_("%(value)s is unrealistically large; the most allowed is %(high)s"),
                {"value": value, "high": high},
            )
        )
        return None
    return value


def _goals(raw: Any, goal_slugs: Sequence[str], problems: list[Problem]) -> dict[str, float] | None:
    known = ", ".join(goal_slugs)
    if raw is None:
        problems.append(
            Problem(
                "goals", N_("missing; choose at least one goal: %(allowed)s"), {"allowed": known}
            )
        )
        return None
    weights: dict[str, float] = {}
    if isinstance(raw, list) and all(isinstance(g, str) for g in raw):
        weights = dict.fromkeys(raw, 1.0)
    elif isinstance(raw, Mapping) and all(isinstance(k, str) for k in raw):
        for goal, weight in raw.items():
            if (
                isinstance(weight, bool)
                or not isinstance(weight, int | float)
                or not (0 <= weight <= 100 and math.isfinite(weight))
            ):
                problems.append(
                    Problem(
                        f"goals.{_short(goal)}",
                        N_("weight must be a number from 0 to 100, not %(value)s"),
                        {"value": _short(repr(weight))},
                    )
                )
                continue
            weights[goal] = float(weight)
    else:
        problems.append(
            Problem(
                "goals",
                N_(
                    "must be a list of goals or an object of goal: weight; known goals: %(allowed)s"
                ),
                {"allowed": known},
            )
        )
        return None
    unknown = [g for g in weights if g not in goal_slugs]
    for goal in unknown:
        problems.append(
            Problem(
                "goals",
                N_("unknown goal '%(value)s'; known goals: %(allowed)s"),
                {"value": _short(goal), "allowed": known},
            )
        )
    total = sum(weights.values())
    if not unknown and total <= 0:
        problems.append(
            Problem(
                "goals",
                N_("choose at least one goal with a weight above 0; known goals: %(allowed)s"),
                {"allowed": known},
            )
        )
    if unknown or total <= 0:
        return None
    return {goal: weight / total for goal, weight in weights.items() if weight > 0}


def match(
    variants: Sequence[Variant],
    request: MatchRequest,
    evidence: EvidenceTable | None = None,
) -> MatchResult:
    """Rank the variants that fit the request; list the others with every reason."""
    evidence = evidence or {}
    results: list[Ranked] = []
    excluded: list[Excluded] = []
    for variant in variants:
        exclusions = _exclusions(variant, request)
        if exclusions:
            excluded.append(Excluded(variant, tuple(exclusions)))
            continue
        results.append(_rank(variant, request, evidence))
    results.sort(key=lambda r: (-r.score, r.variant.title))
    excluded.sort(key=lambda e: (len(e.reasons), e.variant.title))
    return MatchResult(tuple(results), tuple(excluded))


def _exclusions(variant: Variant, request: MatchRequest) -> list[Reason]:
    reasons = []
    size = request.group_size
    if size < variant.group_min:
        reasons.append(
            Reason(
                N_("a group of %(size)s is smaller than the minimum of %(min)s"),
                {"size": size, "min": variant.group_min},
            )
        )
    if size > variant.group_max:
        reasons.append(
            Reason(
                N_("a group of %(size)s is larger than the maximum of %(max)s"),
                {"size": size, "max": variant.group_max},
            )
        )
    if request.minutes < variant.minutes_min:
        reasons.append(
            Reason(
                N_("%(minutes)s minutes is shorter than the %(min)s minutes it needs at least"),
                {"minutes": request.minutes, "min": variant.minutes_min},
            )
        )
    if request.modality not in variant.modalities:
        reasons.append(
            Reason(
                N_("does not work %(modality)s; it works: %(modalities)s"),
                {
                    "modality": Label(MODALITIES[request.modality]),
                    "modalities": tuple(Label(MODALITIES[m]) for m in variant.modalities),
                },
            )
        )
    if all(variant.goals.get(goal, 0) == 0 for goal in request.goals):
        reasons.append(Reason(N_("serves none of the chosen goals"), {}))
    return reasons


def _rank(variant: Variant, request: MatchRequest, evidence: EvidenceTable) -> Ranked:
    reasons: list[Reason] = []
    contributions: dict[str, float] = {}
    evidence_shown: dict[str, Evidence | None] = {}
    for goal, weight in request.goals.items():
        curated = variant.goals.get(goal, 0) / MAX_WEIGHT
        found = evidence.get((variant.slug, goal))
        fit = curated
        if found is not None and found.sessions > 0:
            fit = (PRIOR_SESSIONS * curated + found.sessions * found.mean) / (
                PRIOR_SESSIONS + found.sessions
            )
        evidence_shown[goal] = found
        contributions[goal] = 100 * weight * fit
        reasons.append(
            Reason(
                N_("serves the goal %(goal)s %(strength)s (%(weight)s of 3)"),
                {
                    "goal": GoalRef(goal),
                    "strength": Label(WEIGHT_LABELS[variant.goals.get(goal, 0)]),
                    "weight": variant.goals.get(goal, 0),
                },
            )
        )
        if found is not None and found.sessions > 0:
            reasons.append(
                Reason(
                    N_(
                        "%(sessions)s earlier session(s) reached %(goal)s on average for %(mean)s%%"
                    ),
                    {
                        "sessions": found.sessions,
                        "goal": GoalRef(goal),
                        "mean": round(100 * found.mean),
                    },
                )
            )
    goal_score = sum(contributions.values())

    size_factor = _size_factor(variant, request.group_size)
    if request.group_size == variant.group_ideal:
        reasons.append(
            Reason(N_("a group of %(size)s is the ideal size"), {"size": request.group_size})
        )
    else:
        reasons.append(
            Reason(
                N_("a group of %(size)s fits (%(min)s to %(max)s, ideally %(ideal)s)"),
                {
                    "size": request.group_size,
                    "min": variant.group_min,
                    "max": variant.group_max,
                    "ideal": variant.group_ideal,
                },
            )
        )

    time_factor = _time_factor(variant, request.minutes)
    if request.minutes >= variant.minutes_typical:
        reasons.append(
            Reason(
                N_("%(minutes)s minutes is enough (it usually takes %(typical)s)"),
                {"minutes": request.minutes, "typical": variant.minutes_typical},
            )
        )
    else:
        reasons.append(
            Reason(
                N_("%(minutes)s minutes is tight: it usually takes %(typical)s, at least %(min)s"),
                {
                    "minutes": request.minutes,
                    "typical": variant.minutes_typical,
                    "min": variant.minutes_min,
                },
            )
        )

    reasons.append(
        Reason(N_("works %(modality)s"), {"modality": Label(MODALITIES[request.modality])})
    )

    role_factor = 1.0
    if request.roles:
        suited = request.roles & set(variant.roles)
        role_factor = 1 - ROLE_PENALTY * (1 - len(suited) / len(request.roles))
        missing = sorted(request.roles - suited)
        if missing:
            reasons.append(
                Reason(
                    N_("suits less well for: %(roles)s"),
                    {"roles": tuple(Label(ROLES[r]) for r in missing)},
                )
            )
        else:
            reasons.append(
                Reason(
                    N_("suits everyone present: %(roles)s"),
                    {"roles": tuple(Label(ROLES[r]) for r in sorted(request.roles))},
                )
            )

    factor = size_factor * time_factor * role_factor
    score = round(goal_score * factor, 1)
    scaled = {goal: round(value * factor, 1) for goal, value in contributions.items()}
    return Ranked(variant, score, scaled, tuple(reasons), evidence_shown)


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
    if minutes >= variant.minutes_typical:
        return 1.0
    span = variant.minutes_typical - variant.minutes_min
    shortfall = (variant.minutes_typical - minutes) / span if span else 0.0
    return 1 - TIME_PENALTY * shortfall
