"""Trends, pure: the mean and spread of each measure per column (a session or a quarter), who
counts as one person, and which observations a viewer beyond the group may see.

Each person weighs once in a column: their own values are averaged first (a member may have
taken part in two sessions of one quarter), then the people's means give the column's mean and
(population) standard deviation, as the outcome's chart aggregate does (sessions/tools/chart.py).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Beyond the group, a point is shown only when at least this many different people gave it,
# so that nobody can be singled out (docs/privacy.md).
MIN_PEOPLE = 5
# Inside the group, a member sees a session's figure only from this many people: with two, each
# could work out the other's rating from their own (the harvest is anonymous in the group too).
MIN_INSIDE = 3

# Consent and sharing levels on one scale: "no" (consent) and "group" (sharing) mean nothing
# beyond the group (catalogue/outcomes/models.py).
_RANK = {"no": 0, "group": 0, "region": 1, "national": 2, "open": 3}


@dataclass(frozen=True)
class Seen:
    """One observation as an aggregate takes it: in which column, by whom."""

    column: str
    person: str
    measure: str
    x: float
    y: float | None = None


@dataclass(frozen=True)
class Spread:
    mean: float
    sd: float


@dataclass(frozen=True)
class Point:
    """A measure in one column: how many people, and the mean and spread along x (and y)."""

    n: int
    x: Spread
    y: Spread | None = None


def person_of(member_id: str | None, outcome_id: int, participant: str) -> str:
    """Who an observation is of: a member counts once across sessions; anyone else once per
    session (a participant id is only known within its session)."""
    return f"member:{member_id}" if member_id else f"participant:{outcome_id}:{participant}"


def spread(values: Sequence[float]) -> Spread:
    mean = math.fsum(values) / len(values)
    variance = math.fsum((v - mean) ** 2 for v in values) / len(values)
    return Spread(round(mean, 4), round(math.sqrt(variance), 4))


def points(seen: Iterable[Seen], minimum: int = 1) -> dict[str, dict[str, Point]]:
    """measure -> column -> point; a point of fewer than `minimum` people is left out."""
    own: dict[tuple[str, str], dict[str, list[tuple[float, float | None]]]] = {}
    for s in seen:
        own.setdefault((s.measure, s.column), {}).setdefault(s.person, []).append((s.x, s.y))
    result: dict[str, dict[str, Point]] = {}
    for (measure, column), people in sorted(own.items()):
        if len(people) < minimum:
            continue
        xs = [math.fsum(x for x, _ in values) / len(values) for values in people.values()]
        ys = [
            math.fsum(y for _, y in values if y is not None) / len(values)
            for values in people.values()
            if all(y is not None for _, y in values)
        ]
        result.setdefault(measure, {})[column] = Point(
            len(people), spread(xs), spread(ys) if len(ys) == len(xs) else None
        )
    return result


def level_of(user_known: bool, region_reader: bool) -> str:
    """The narrowest level a viewer reads of a region (catalogue/library/access.py): its
    members and the coordinators "region", other accounts "national", everyone "open"."""
    if region_reader:
        return "region"
    return "national" if user_known else "open"


def counts_for(level: str, sharing: str, consent: str) -> bool:
    """Whether a participant's observation in an outcome shared at `sharing`, with their
    `consent` (narrowed by any later change), may be counted for a viewer reading `level`."""
    return min(_RANK.get(sharing, 0), _RANK.get(consent, 0)) >= _RANK[level] > 0


def quarter(day: dt.date) -> str:
    """The quarter a day is in, sortable: "2026-Q4"."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
