"""Who sees what: each event's audience, a reader's view of it, and a reader's state.

Most events are the same for everyone. Some are not:
- a note written in private is seen by its author only, until the notes are revealed;
- the author of an anonymous note (and of any change to it) is known to that author only;
- votes are anonymous, and while voting is hidden only the voter sees their own votes;
- a positioning marker is seen by its owner only until the chart is revealed, then by all,
  anonymously;
- a breakout group's chat message is seen by the readers it names (the group's members when it
  was posted, the facilitators and co-facilitators) only.
Readers who may not see an event receive a `Hidden` stand-in with the same seq, so every
reader's seq stays gap-free. Because every event has at most two versions (the author's, which
also named readers get, and everyone else's), the engine encodes each event at most twice, never
once per recipient.

Each tool's slice (sessions/tools/) states the rules for its events (`AUDIENCE`) and its part
of a reader's state (`project`). `project(state, reader)` gives the state a reader builds by
folding their views; a property test checks that it always equals `fold(view(e) for e in log)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sessions import events as ev
from sessions.state import State, copy
from sessions.tools import AUDIENCE, PROJECTIONS


@dataclass(frozen=True, slots=True)
class Audience:
    """Who sees an event how: `author` and `readers` see it whole; everyone else `others`."""

    author: str | None  # None: everyone sees the event as it is
    others: ev.Event | None = None
    readers: frozenset[str] = frozenset()


EVERYONE = Audience(None)


def audience(event: ev.Event, before: State) -> Audience:
    """The audience of an event, given the state just before it (its slice's rule)."""
    actor = event.actor
    rule = AUDIENCE.get(type(event.body))
    if actor is None or rule is None:
        return EVERYONE
    seen = rule(before, actor, event.body)
    if seen is None:
        return EVERYONE
    body = event.body if seen.hidden is None else ev.Hidden(seen.hidden)
    return Audience(actor, ev.Event(event.seq, None, event.at, body), seen.readers)


def view(event: ev.Event, before: State, reader: str | None) -> ev.Event:
    """The event as `reader` receives it (None: a reader who is no participant)."""
    seen = audience(event, before)
    if seen.author is None or seen.author == reader or reader in seen.readers:
        return event
    assert seen.others is not None
    return seen.others


def project(state: State, reader: str | None) -> State:
    """The state `reader` has after receiving their views of every event (a new object)."""
    mine = copy(state)
    for projection in PROJECTIONS:
        projection(state, mine, reader)
    return mine
