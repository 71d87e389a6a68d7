"""What a session gives its trends, pure: each participant's goal ratings and chart positions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sessions.state import State

GOAL_PREFIX = "goal:"
POSITION_KINDS = ("now", "desired")


def goal_measure(goal: str) -> str:
    return f"{GOAL_PREFIX}{goal}"


def goal_of(measure: str) -> str | None:
    """The goal slug of a rating measure; None for a chart position."""
    return measure.removeprefix(GOAL_PREFIX) if measure.startswith(GOAL_PREFIX) else None


@dataclass(frozen=True)
class Observation:
    participant: str
    measure: str  # "goal:<slug>" (x: the rating 1-5), "now" or "desired" (x, y in 0..1)
    x: float
    y: float | None = None


def observations(state: State, ratings: Mapping[str, Mapping[str, int]]) -> list[Observation]:
    """The session's observations: every rating of one of its goals (`ratings`: participant ->
    goal -> 1..5, the harvest answers) and every chart marker with a known owner (the full
    state's markers, as the outcome's captured aggregate counts them)."""
    goals = set(state.goals)
    found = [
        Observation(participant, goal_measure(goal), float(value))
        for participant, given in sorted(ratings.items())
        for goal, value in sorted(given.items())
        if goal in goals
    ]
    markers = sorted(
        (m for m in state.chart.markers.values() if m.owner is not None),
        key=lambda m: (m.owner or "", m.kind),
    )
    found += [Observation(m.owner or "", m.kind, m.x, m.y) for m in markers]
    return found
