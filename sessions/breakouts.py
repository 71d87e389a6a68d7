"""Splitting a session into breakout groups (pure)."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from sessions.tools.base import BreakoutMode, Location


def assign(
    people: Sequence[tuple[str, Location | None]],
    size: int,
    mode: BreakoutMode,
    seed: int,
) -> dict[str, tuple[str, ...]]:
    """Groups of about `size` people: shuffled, left empty to choose, or room apart from remote.

    Groups are as even as possible (sizes differ by at most one). The same seed gives the same
    groups, so deciding twice decides the same.
    """
    if mode == "choice":
        count = max(1, math.ceil(len(people) / size))
        return {f"groep-{i + 1}": () for i in range(count)}
    rng = random.Random(seed)  # noqa: S311 (fair groups, not secrets)
    if mode == "location":
        room = [pid for pid, where in people if where == "room"]
        remote = [pid for pid, where in people if where != "room"]
        groups = [*_split(room, size, rng), *_split(remote, size, rng)]
    else:
        groups = _split([pid for pid, _ in people], size, rng)
    return {f"groep-{i + 1}": tuple(group) for i, group in enumerate(groups)}


def _split(members: list[str], size: int, rng: random.Random) -> list[list[str]]:
    if not members:
        return []
    shuffled = members[:]
    rng.shuffle(shuffled)
    count = math.ceil(len(shuffled) / size)
    return [shuffled[i::count] for i in range(count)]
