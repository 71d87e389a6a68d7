"""A session's state: a pure fold over its events.

`apply` changes a state by one event; `fold` builds a state from nothing. The same functions
build the server's full state from the log and a participant's state from the events as that
participant receives them (`sessions/views.py`), so both stay in step by construction. The
`State` struct and each event's fold handler come from the tool slices (sessions/tools/).
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from sessions import events as ev
from sessions.tools import FOLD, State
from sessions.tools.base import FACILITATORS
from sessions.tools.board import Cluster, Note
from sessions.tools.breakouts import Breakouts
from sessions.tools.chart import Chart, Marker
from sessions.tools.chat import ChatMessage, chat_readers
from sessions.tools.people import Person
from sessions.tools.rounds import Round
from sessions.tools.voting import Voting

__all__ = [
    "FACILITATORS",
    "Breakouts",
    "Chart",
    "ChatMessage",
    "Cluster",
    "Marker",
    "Note",
    "Person",
    "Round",
    "State",
    "Voting",
    "apply",
    "chat_readers",
    "copy",
    "fold",
]


def fold(events: Iterable[ev.Event], state: State | None = None) -> State:
    """The state after these events (from an empty session, or from `state`)."""
    state = state if state is not None else State()
    for event in events:
        apply(state, event)
    return state


def copy(state: State) -> State:
    """An independent copy (snapshots, and deciding without touching the live state)."""
    return msgspec.json.decode(msgspec.json.encode(state), type=State)


def apply(state: State, event: ev.Event) -> None:
    """Change the state by one event, in place. Unknown references are ignored, never raised:
    a participant's view may lack what an event refers to."""
    state.seq = event.seq
    handler = FOLD.get(type(event.body))
    if handler is not None:
        handler(state, event, event.body)
