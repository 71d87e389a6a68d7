"""What every tool slice builds on: event and command bases, roles, refusals, shared helpers.

A slice (one module per live tool in this package) imports this module and pure helpers, never
another slice and never the registry (`sessions/tools/__init__.py`), except for the `State` type
under TYPE_CHECKING: the registry assembles the state from the slices' parts, and a slice's
handlers read the whole state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, Protocol, TypeVar

import msgspec

if TYPE_CHECKING:
    from sessions.tools import State

Modality = Literal["on-site", "online", "hybrid"]
Role = Literal["facilitator", "co-facilitator", "participant", "observer"]
Location = Literal["room", "remote"]
BreakoutMode = Literal["random", "choice", "location"]
HiddenWhat = Literal["note", "vote", "marker", "chat", "room"]
# Every tool an agenda phase can use. It is a Literal for the static types; the slices name
# theirs (`AGENDA_TOOLS`) and tests/sessions/test_slices.py checks both against the catalogue.
Tool = Literal["board", "vote", "round", "position-chart", "chat", "breakout", "harvest", "review"]

# The roles that run a session (authorization; a group chat is theirs to read).
FACILITATORS: frozenset[Role] = frozenset({"facilitator", "co-facilitator"})
PARTICIPANTS: frozenset[Role] = FACILITATORS | {"participant"}
EVERYONE: frozenset[Role] = PARTICIPANTS | {"observer"}


class Body(msgspec.Struct, tag_field="type", forbid_unknown_fields=True):
    """Base of every event body; `type` on the wire is the tag."""


class Hidden(Body, tag="hidden"):
    """Stands in, for a reader, for an event that reader may not see (yet): a note written in
    private, a hidden vote, a marker. It keeps every reader's seq gap-free."""

    what: HiddenWhat


class AgendaPhase(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One phase of an agenda (session.created, agenda.set and the agenda.set command)."""

    name: str
    minutes: int
    tool: Tool
    purpose: str = ""
    instructions: str = ""
    until: float | None = None  # asynchronous sessions: the date this phase closes (epoch s)
    # What the facilitator does in this phase (the catalogue script's `facilitator` text); the
    # cockpit shows it to facilitators. Optional, so logs written before it decode unchanged.
    guidance: str = ""


class Message(msgspec.Struct, tag_field="type", forbid_unknown_fields=True):
    """Base of every client message."""


# Text must hold something besides spaces (the pattern needs one non-space character).
_SOMETHING = r"\S"
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=_SOMETHING)]
LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=1000, pattern=_SOMETHING)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=120, pattern=_SOMETHING)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=60, pattern=_SOMETHING)]
Ref = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
CommandId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Unit = Annotated[float, msgspec.Meta(ge=0, le=1)]


class Command(Message):
    id: CommandId


class Refused(Exception):
    """A command that is not allowed, or not valid now; nothing is logged."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


IdMaker = Callable[[], str]
EventT = TypeVar("EventT", bound=Body, covariant=True)


@dataclass(frozen=True, slots=True)
class Rule(Generic[EventT]):
    """A command's rule: the roles that may send it, the handler that decides it,
    `decide(state, actor, command, now, new_id) -> events` (or Refused), and whether it may
    still be sent once the session has ended."""

    roles: frozenset[Role]
    decide: Callable[..., Sequence[EventT]]
    after_end: bool = False


class Stamp(Protocol):
    """What a fold handler reads of an event besides its body (sessions.events.Event)."""

    @property
    def actor(self) -> str | None: ...

    @property
    def at(self) -> float: ...


Fold = Callable[["State", Stamp, Any], None]


@dataclass(frozen=True, slots=True)
class Seen:
    """How an event with an actor is seen when not everyone sees it whole: its actor and the
    `readers` see it whole; everyone else a `Hidden(hidden)` stand-in or, when `hidden` is
    None, the event without its actor (anonymous)."""

    hidden: HiddenWhat | None = None
    readers: frozenset[str] = frozenset()


# (state before, actor, body) -> how it is seen; None: everyone sees it whole.
AudienceRule = Callable[["State", str, Any], Seen | None]


@dataclass(frozen=True, slots=True)
class Fields:
    """A struct's str-typed fields (also inside lists, tuples and dicts): `text` a person may
    have written or a name may be in (erased, and gated when an outcome is shared); `ids` ids
    and fixed words."""

    text: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()


def is_facilitator(state: State, actor: str) -> bool:
    return state.people[actor].role in FACILITATORS


def known(state: State, participant: str) -> None:
    """Refused when there is no such participant (or no longer)."""
    found = state.people.get(participant)
    if found is None or found.removed:
        raise Refused("unknown_participant", f"there is no participant {participant!r}")


def present(state: State) -> list[str]:
    return [pid for pid, p in state.people.items() if not p.removed and p.role in PARTICIPANTS]


def group_of(state: State, actor: str) -> str | None:
    """The breakout group the actor is in, while groups are open."""
    if not state.breakouts.open:
        return None
    for group, members in state.breakouts.groups.items():
        if actor in members:
            return group
    return None


def field_contents(struct: type[Any]) -> dict[str, tuple[bool, tuple[type[Any], ...]]]:
    """Each field of a struct: whether its type holds a `str` (alone or in unions, lists,
    tuples or dicts; a Literal is a fixed word, not a str) and the structs it holds."""
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    return {field.name: _contents(field.type) for field in info.fields}


def _contents(kind: msgspec.inspect.Type) -> tuple[bool, tuple[type[Any], ...]]:
    if isinstance(kind, msgspec.inspect.StrType):
        return True, ()
    if isinstance(kind, msgspec.inspect.StructType):
        return False, (kind.cls,)
    if isinstance(kind, msgspec.inspect.Metadata):
        return _contents(kind.type)
    parts: tuple[msgspec.inspect.Type, ...] = ()
    if isinstance(kind, msgspec.inspect.UnionType):
        parts = kind.types
    elif isinstance(kind, msgspec.inspect.TupleType):
        parts = kind.item_types
    elif isinstance(kind, msgspec.inspect.DictType):
        parts = (kind.key_type, kind.value_type)
    elif isinstance(
        kind,
        msgspec.inspect.ListType
        | msgspec.inspect.VarTupleType
        | msgspec.inspect.SetType
        | msgspec.inspect.FrozenSetType,
    ):
        parts = (kind.item_type,)
    found = [_contents(part) for part in parts]
    return any(text for text, _ in found), tuple(s for _, structs in found for s in structs)
