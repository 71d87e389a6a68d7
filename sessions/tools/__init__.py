"""The live tools, assembled: the one module that lists the slices.

Each live tool is one module here (a slice) holding everything Python knows about it: its event
bodies and commands, its part of the state, its decide handlers with the roles allowed (`RULES`),
its fold (`FOLD`), who sees its events how (`AUDIENCE`, `project`), its part of an outcome
(`capture`), its str fields declared text or id (`FIELDS`) and the agenda tools it provides
(`AGENDA_TOOLS`). This module joins them into the tagged unions the decoders use, the `State`
struct, and the tables that sessions/decide.py, state.py, views.py and capture.py dispatch on.
Adding a tool: a module beside the others, and its name in each list below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from sessions.tools import (
    board,
    breakouts,
    chart,
    chat,
    hands,
    people,
    phases,
    reactions,
    review,
    rounds,
    session,
    voting,
)
from sessions.tools.base import (
    AgendaPhase,
    AudienceRule,
    Body,
    Command,
    Fields,
    Fold,
    Hidden,
    Role,
    Rule,
    Tool,
    field_contents,
)
from sessions.tools.board import Cluster, Note
from sessions.tools.breakouts import Breakouts
from sessions.tools.chart import Chart
from sessions.tools.chat import ChatMessage
from sessions.tools.people import Person
from sessions.tools.reactions import Reactions
from sessions.tools.review import Review
from sessions.tools.rounds import Round
from sessions.tools.voting import Voting

EventBody = (
    Hidden
    | session.Events
    | people.Events
    | phases.Events
    | board.Events
    | voting.Events
    | rounds.Events
    | chart.Events
    | chat.Events
    | hands.Events
    | breakouts.Events
    | reactions.Events
    | review.Events
)
AnyCommand = (
    session.Commands
    | people.Commands
    | phases.Commands
    | board.Commands
    | voting.Commands
    | rounds.Commands
    | chart.Commands
    | chat.Commands
    | hands.Commands
    | breakouts.Commands
    | reactions.Commands
    | review.Commands
)


class State(msgspec.Struct):
    """A session's state (sessions/state.py folds it). Field order and defaults are its JSON
    shape (snapshots, the welcome), so they stay as they are; each part belongs to a slice."""

    seq: int = 0
    # session (and phases: the agenda)
    title: str = ""
    phases: list[AgendaPhase] = msgspec.field(default_factory=list)
    goals: list[str] = msgspec.field(default_factory=list)
    modality: str = "online"
    capacity: int | None = None
    breakout_size: int = 4
    anonymous_notes: bool = False
    asynchronous: bool = False
    region: str | None = None
    theme: str | None = None
    video_url: str | None = None  # the video-call link everyone may follow
    # phases
    phase: int | None = None  # index of the current phase; None before the start
    ends_at: float | None = None  # server time the running phase ends
    remaining: float | None = None  # seconds left while paused
    ended: bool = False
    # people
    people: dict[str, Person] = msgspec.field(default_factory=dict)
    # board
    notes: dict[str, Note] = msgspec.field(default_factory=dict)
    clusters: dict[str, Cluster] = msgspec.field(default_factory=dict)
    board_locked: bool = False
    # voting, rounds, chart, chat, hands, breakouts
    voting: Voting = msgspec.field(default_factory=Voting)
    round: Round = msgspec.field(default_factory=Round)
    chart: Chart = msgspec.field(default_factory=Chart)
    chat: list[ChatMessage] = msgspec.field(default_factory=list)
    hands: list[str] = msgspec.field(default_factory=list)  # participants, first raised first
    breakouts: Breakouts = msgspec.field(default_factory=Breakouts)
    # tools added since: after the others, so older snapshots fold to their defaults
    reactions: Reactions = msgspec.field(default_factory=Reactions)
    # the session's, added since (session.created): the practice's usual minutes, or None
    planned_minutes: int | None = None
    # a group's session: its terugblik (the actions open from earlier sessions)
    review: Review = msgspec.field(default_factory=Review)
    # people, added since: closed to newcomers (joins.lock)
    joins_locked: bool = False

    def in_room(self) -> int:
        """How many present, not removed, are in the room (for the venue's capacity)."""
        return sum(1 for p in self.people.values() if p.location == "room" and not p.removed)


RULES: dict[type[Command], Rule[EventBody]] = {
    **session.RULES,
    **people.RULES,
    **phases.RULES,
    **board.RULES,
    **voting.RULES,
    **rounds.RULES,
    **chart.RULES,
    **chat.RULES,
    **hands.RULES,
    **breakouts.RULES,
    **reactions.RULES,
    **review.RULES,
}
# Which roles may send which command. Checks on ownership and state follow in each handler.
ALLOWED: dict[type[Command], frozenset[Role]] = {kind: rule.roles for kind, rule in RULES.items()}
FOLD: dict[type[Body], Fold] = {
    **session.FOLD,
    **people.FOLD,
    **phases.FOLD,
    **board.FOLD,
    **voting.FOLD,
    **rounds.FOLD,
    **chart.FOLD,
    **chat.FOLD,
    **hands.FOLD,
    **breakouts.FOLD,
    **reactions.FOLD,
    **review.FOLD,
}
# Events not everyone sees whole; all others are seen as they are.
AUDIENCE: dict[type[Body], AudienceRule] = {
    **board.AUDIENCE,
    **voting.AUDIENCE,
    **chart.AUDIENCE,
    **chat.AUDIENCE,
    **reactions.AUDIENCE,
    **breakouts.AUDIENCE,
}
# Events whose body names the readers who see them whole (besides the actor): the engine reads
# them from a logged event without the state it was made in.
READERS_IN_BODY: dict[type[Body], Callable[[Any], frozenset[str]]] = {
    chat.ChatPosted: chat.readers_in,
    breakouts.BreakoutRoom: breakouts.readers_in,
}
# Each changes a copy of the state (2nd) into what a reader (3rd) has of it.
PROJECTIONS: tuple[Callable[[State, State, str | None], None], ...] = (
    board.project,
    chat.project,
    voting.project,
    chart.project,
    breakouts.project,
)
# The parts of an outcome, in the order of its keys.
CAPTURES: tuple[Callable[[State], dict[str, Any]], ...] = (
    board.capture,
    rounds.capture,
    chart.capture,
    people.capture,
    chat.capture,
    reactions.capture,
)
FIELDS: dict[type[Any], Fields] = {
    **session.FIELDS,
    **people.FIELDS,
    **phases.FIELDS,
    **board.FIELDS,
    **voting.FIELDS,
    **rounds.FIELDS,
    **chart.FIELDS,
    **chat.FIELDS,
    **hands.FIELDS,
    **breakouts.FIELDS,
    **review.FIELDS,
}
AGENDA_TOOLS: tuple[Tool, ...] = (
    *session.AGENDA_TOOLS,
    *people.AGENDA_TOOLS,
    *phases.AGENDA_TOOLS,
    *board.AGENDA_TOOLS,
    *voting.AGENDA_TOOLS,
    *rounds.AGENDA_TOOLS,
    *chart.AGENDA_TOOLS,
    *chat.AGENDA_TOOLS,
    *hands.AGENDA_TOOLS,
    *breakouts.AGENDA_TOOLS,
    *review.AGENDA_TOOLS,
)


def event_types() -> dict[str, type[Body]]:
    """Every event body of the union, by its tag (`type` on the wire)."""
    bodies: tuple[type[Body], ...] = EventBody.__args__
    return {str(body.__struct_config__.tag): body for body in bodies}


def _text_in(struct: type[Any]) -> tuple[str, ...]:
    """The fields of a struct that hold text, declared or inside a struct with text."""
    declared = FIELDS.get(struct, Fields())
    return tuple(
        name
        for name, (_, structs) in field_contents(struct).items()
        if name in declared.text or any(_text_in(inner) for inner in structs)
    )


# Per event type, the fields that hold text a person wrote or a name may be in.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    tag: _text_in(body) for tag, body in event_types().items() if _text_in(body)
}


def text_event_types() -> tuple[str, ...]:
    """The event types with text a person wrote or a name may be in (erased on request)."""
    return tuple(TEXT_FIELDS)
