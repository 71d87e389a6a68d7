"""The status of a group's actions, from the changes logged in its sessions (pure).

An action is open until a later session of the group logs a change for it (the terugblik's
`action.done` or `action.carried`). The latest change decides, taking the sessions in order and
each session's events in seq order: done, or carried over (still open, with a new date when
one was given). The status is not stored elsewhere, so the logs stay the one truth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Kind = Literal["done", "carried"]


@dataclass(frozen=True)
class Change:
    """One logged change: in session `session` (ordered as the group's sessions), at `seq`."""

    session: int
    seq: int
    action: str  # the action's public id ("a…")
    kind: Kind
    due: dt.date | None = None  # carried over with a new date


@dataclass(frozen=True)
class Status:
    done: bool
    carried: bool  # carried over at least once, and not done since
    due: dt.date | None  # the latest date it was carried to, else None (its own date stands)

    @property
    def open(self) -> bool:
        return not self.done


OPEN = Status(done=False, carried=False, due=None)


def statuses(changes: Iterable[Change]) -> dict[str, Status]:
    """The status of every action that has a change; an action without one is `OPEN`."""
    result: dict[str, Status] = {}
    for change in sorted(changes, key=lambda c: (c.session, c.seq)):
        before = result.get(change.action, OPEN)
        if change.kind == "done":
            result[change.action] = Status(done=True, carried=False, due=before.due)
        else:
            due = change.due if change.due is not None else before.due
            result[change.action] = Status(done=False, carried=True, due=due)
    return result
