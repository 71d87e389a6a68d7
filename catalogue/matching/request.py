"""A match request: what a group asks for, validated from raw input (JSON or a form).

Pure: `validate_request` turns raw input into a `MatchRequest` or a list of problems.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from catalogue.schema import Problem
from catalogue.vocabulary import MODALITIES, ROLES
from server.i18n import N_

MAX_GROUP_SIZE = 1000
MAX_MINUTES = 60 * 24


@dataclass(frozen=True)
class MatchRequest:
    goals: Mapping[str, float]  # goal slug -> weight, summing to 1
    group_size: int
    minutes: int
    modality: str
    roles: frozenset[str] = frozenset()


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
