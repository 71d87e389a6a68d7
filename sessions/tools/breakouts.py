"""Breakout groups: random, by choice or by location (sessions/breakouts.py assigns them),
a message to all groups, each group's video room, and closing them.

A group's video room (`breakout.room`) is made when the groups open on a Jitsi link
(sessions/video.py) or set by a facilitator (any provider, e.g. BigBlueButton). Its event
names its readers (`to`: the group's members then, the facilitators, its author), so a
participant never receives another group's room link; who chooses a group later gets its room
in an event of their own."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import msgspec

from sessions import video
from sessions.breakouts import assign
from sessions.tools import base
from sessions.tools.base import Body, Command, Refused, Rule
from sessions.video import video_url_problem

if TYPE_CHECKING:
    from sessions.tools import State

AGENDA_TOOLS: tuple[base.Tool, ...] = ("breakout",)


class BreakoutsOpened(Body, tag="breakouts.opened"):
    mode: base.BreakoutMode
    groups: dict[str, tuple[str, ...]]  # group id -> participant ids (empty lists for "choice")


class BreakoutChosen(Body, tag="breakout.chosen"):
    group: str


class BreakoutsMessaged(Body, tag="breakouts.messaged"):
    text: str


class BreakoutsClosed(Body, tag="breakouts.closed"):
    pass


class BreakoutRoom(Body, tag="breakout.room"):
    """A group's video room (None: the group has none of its own, it uses the session's)."""

    group: str
    url: str | None
    # Who may read it: the group's members when it was made, the facilitators and the author
    # (sorted); everyone else receives a `hidden` stand-in.
    to: tuple[str, ...]


Events = BreakoutsOpened | BreakoutChosen | BreakoutsMessaged | BreakoutsClosed | BreakoutRoom


class OpenBreakouts(Command, tag="breakouts.open"):
    mode: base.BreakoutMode = "random"
    size: Annotated[int, msgspec.Meta(ge=2, le=50)] | None = None  # None: the session's size
    # A Jitsi room per group, made from the session's video link: None when that link is on a
    # known public Jitsi server (video.JITSI_HOSTS); True for a self-hosted Jitsi server.
    rooms: bool | None = None


class MessageBreakouts(Command, tag="breakouts.message"):
    text: base.LongText


class CloseBreakouts(Command, tag="breakouts.close"):
    pass


class ChooseBreakout(Command, tag="breakout.choose"):
    group: base.Ref


class SetBreakoutVideo(Command, tag="breakouts.video"):
    """A group's own video link (any provider), or None: the group uses the session's link."""

    group: base.Ref
    url: str | None  # checked by video_url_problem, as the session's link


Commands = OpenBreakouts | MessageBreakouts | CloseBreakouts | ChooseBreakout | SetBreakoutVideo


class Room(msgspec.Struct):
    """One `breakout.room` a reader received: the last one of a group is its room."""

    group: str
    url: str | None
    to: list[str]


class Breakouts(msgspec.Struct):
    open: bool = False
    mode: base.BreakoutMode = "random"
    groups: dict[str, list[str]] = msgspec.field(default_factory=dict)
    messages: list[str] = msgspec.field(default_factory=list)
    # The rooms received since the groups opened, in order (added since: after the others).
    rooms: list[Room] = msgspec.field(default_factory=list)


def room_of(breakouts: Breakouts, group: str) -> str | None:
    """A group's video room as far as this state knows it (None: the session's link)."""
    for room in reversed(breakouts.rooms):
        if room.group == group:
            return room.url
    return None


def room_readers(state: State, members: Iterable[str], actor: str) -> tuple[str, ...]:
    """Who may read a group's room: its members, the facilitators (now) and the actor."""
    facilitators = {
        pid
        for pid, person in state.people.items()
        if person.role in base.FACILITATORS and not person.removed
    }
    return tuple(sorted({*members, *facilitators, actor}))


def _open_breakouts(
    state: State, actor: str, cmd: OpenBreakouts, now: float, new_id: base.IdMaker
) -> list[Events]:
    size = cmd.size or state.breakout_size
    people = [
        (pid, state.people[pid].location)
        for pid in base.present(state)
        if state.people[pid].role == "participant"
    ]
    if not people:
        raise Refused("no_participants", "there is nobody to split into groups")
    groups = assign(people, size, cmd.mode, seed=state.seq)
    opened: list[Events] = [BreakoutsOpened(cmd.mode, groups)]
    plenary = state.video_url
    jitsi = video.is_jitsi(plenary) if cmd.rooms is None else cmd.rooms
    if not jitsi:
        return opened
    if plenary is None:
        raise Refused(
            "no_video", "there is no video link to make rooms from: set the session's link first"
        )
    return opened + [
        BreakoutRoom(
            group,
            video.group_room(plenary, video.room_suffix()),
            room_readers(state, members, actor),
        )
        for group, members in groups.items()
    ]


def _message_breakouts(
    state: State, actor: str, cmd: MessageBreakouts, now: float, new_id: base.IdMaker
) -> list[Events]:
    if not state.breakouts.open:
        raise Refused("no_breakouts", "no breakout groups are open")
    return [BreakoutsMessaged(cmd.text)]


def _close_breakouts(
    state: State, actor: str, cmd: CloseBreakouts, now: float, new_id: base.IdMaker
) -> list[Events]:
    if not state.breakouts.open:
        raise Refused("no_breakouts", "no breakout groups are open")
    return [BreakoutsClosed()]


def _choose_breakout(
    state: State, actor: str, cmd: ChooseBreakout, now: float, new_id: base.IdMaker
) -> list[Events]:
    breakouts = state.breakouts
    if not breakouts.open or breakouts.mode != "choice":
        raise Refused("no_choice", "there are no breakout groups to choose now")
    if cmd.group not in breakouts.groups:
        raise Refused("unknown_group", f"there is no group {cmd.group!r}")
    chosen: list[Events] = [BreakoutChosen(cmd.group)]
    room = room_of(breakouts, cmd.group)
    if room is not None:
        # The chooser was not among the readers of the group's room: it is sent to them now.
        chosen.append(BreakoutRoom(cmd.group, room, (actor,)))
    return chosen


def _set_breakout_video(
    state: State, actor: str, cmd: SetBreakoutVideo, now: float, new_id: base.IdMaker
) -> list[Events]:
    if not state.breakouts.open:
        raise Refused("no_breakouts", "no breakout groups are open")
    if cmd.group not in state.breakouts.groups:
        known = ", ".join(sorted(state.breakouts.groups))
        raise Refused("unknown_group", f"there is no group {cmd.group!r}; the groups: {known}")
    if cmd.url is not None:
        problem = video_url_problem(cmd.url)
        if problem is not None:
            raise Refused("invalid", problem)
    members = state.breakouts.groups[cmd.group]
    return [BreakoutRoom(cmd.group, cmd.url, room_readers(state, members, actor))]


RULES: dict[type[Command], Rule[Events]] = {
    OpenBreakouts: Rule(base.FACILITATORS, _open_breakouts),
    MessageBreakouts: Rule(base.FACILITATORS, _message_breakouts),
    CloseBreakouts: Rule(base.FACILITATORS, _close_breakouts),
    ChooseBreakout: Rule(base.PARTICIPANTS, _choose_breakout),
    SetBreakoutVideo: Rule(base.FACILITATORS, _set_breakout_video),
}


def _breakouts_opened(state: State, event: base.Stamp, body: BreakoutsOpened) -> None:
    state.breakouts = Breakouts(
        open=True, mode=body.mode, groups={g: list(m) for g, m in body.groups.items()}
    )


def _breakout_chosen(state: State, event: base.Stamp, body: BreakoutChosen) -> None:
    if event.actor is None:
        return
    for members in state.breakouts.groups.values():
        if event.actor in members:
            members.remove(event.actor)
    state.breakouts.groups.setdefault(body.group, []).append(event.actor)


def _breakouts_messaged(state: State, event: base.Stamp, body: BreakoutsMessaged) -> None:
    state.breakouts.messages.append(body.text)


def _breakouts_closed(state: State, event: base.Stamp, body: BreakoutsClosed) -> None:
    state.breakouts.open = False  # the groups are kept, their rooms are not: all go plenary
    state.breakouts.rooms = []


def _breakout_room(state: State, event: base.Stamp, body: BreakoutRoom) -> None:
    state.breakouts.rooms.append(Room(body.group, body.url, list(body.to)))


FOLD: dict[type[Body], base.Fold] = {
    BreakoutsOpened: _breakouts_opened,
    BreakoutChosen: _breakout_chosen,
    BreakoutsMessaged: _breakouts_messaged,
    BreakoutsClosed: _breakouts_closed,
    BreakoutRoom: _breakout_room,
}


def _room_seen(state: State, actor: str, body: BreakoutRoom) -> base.Seen:
    return base.Seen("room", frozenset(body.to))


AUDIENCE: dict[type[Body], base.AudienceRule] = {BreakoutRoom: _room_seen}


def readers_in(body: BreakoutRoom) -> frozenset[str]:
    """The readers a logged `breakout.room` names (the engine re-reads them from the log)."""
    return frozenset(body.to)


def project(state: State, mine: State, reader: str | None) -> None:
    """The rooms a reader received: those whose readers name them."""
    mine.breakouts.rooms = [
        room for room in mine.breakouts.rooms if reader is not None and reader in room.to
    ]


FIELDS: dict[type[Any], base.Fields] = {
    BreakoutsOpened: base.Fields(ids=("groups",)),
    BreakoutChosen: base.Fields(ids=("group",)),
    BreakoutsMessaged: base.Fields(text=("text",)),
    # Video links count as ids, as the session's link does (sessions/tools/session.py).
    BreakoutRoom: base.Fields(ids=("group", "url", "to")),
}
