"""Breakout groups: random, by choice or by location (sessions/breakouts.py assigns them),
a message to all groups, and closing them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import msgspec

from sessions.breakouts import assign
from sessions.tools.base import (
    FACILITATORS,
    PARTICIPANTS,
    Body,
    BreakoutMode,
    Command,
    Fields,
    Fold,
    IdMaker,
    LongText,
    Ref,
    Refused,
    Rule,
    Stamp,
    Tool,
    present,
)

if TYPE_CHECKING:
    from sessions.tools import State

AGENDA_TOOLS: tuple[Tool, ...] = ("breakout",)


class BreakoutsOpened(Body, tag="breakouts.opened"):
    mode: BreakoutMode
    groups: dict[str, tuple[str, ...]]  # group id -> participant ids (empty lists for "choice")


class BreakoutChosen(Body, tag="breakout.chosen"):
    group: str


class BreakoutsMessaged(Body, tag="breakouts.messaged"):
    text: str


class BreakoutsClosed(Body, tag="breakouts.closed"):
    pass


Events = BreakoutsOpened | BreakoutChosen | BreakoutsMessaged | BreakoutsClosed


class OpenBreakouts(Command, tag="breakouts.open"):
    mode: BreakoutMode = "random"
    size: Annotated[int, msgspec.Meta(ge=2, le=50)] | None = None  # None: the session's size


class MessageBreakouts(Command, tag="breakouts.message"):
    text: LongText


class CloseBreakouts(Command, tag="breakouts.close"):
    pass


class ChooseBreakout(Command, tag="breakout.choose"):
    group: Ref


Commands = OpenBreakouts | MessageBreakouts | CloseBreakouts | ChooseBreakout


class Breakouts(msgspec.Struct):
    open: bool = False
    mode: BreakoutMode = "random"
    groups: dict[str, list[str]] = msgspec.field(default_factory=dict)
    messages: list[str] = msgspec.field(default_factory=list)


def _open_breakouts(
    state: State, actor: str, cmd: OpenBreakouts, now: float, new_id: IdMaker
) -> list[Events]:
    size = cmd.size or state.breakout_size
    people = [
        (pid, state.people[pid].location)
        for pid in present(state)
        if state.people[pid].role == "participant"
    ]
    if not people:
        raise Refused("no_participants", "there is nobody to split into groups")
    groups = assign(people, size, cmd.mode, seed=state.seq)
    return [BreakoutsOpened(cmd.mode, groups)]


def _message_breakouts(
    state: State, actor: str, cmd: MessageBreakouts, now: float, new_id: IdMaker
) -> list[Events]:
    if not state.breakouts.open:
        raise Refused("no_breakouts", "no breakout groups are open")
    return [BreakoutsMessaged(cmd.text)]


def _close_breakouts(
    state: State, actor: str, cmd: CloseBreakouts, now: float, new_id: IdMaker
) -> list[Events]:
    if not state.breakouts.open:
        raise Refused("no_breakouts", "no breakout groups are open")
    return [BreakoutsClosed()]


def _choose_breakout(
    state: State, actor: str, cmd: ChooseBreakout, now: float, new_id: IdMaker
) -> list[Events]:
    breakouts = state.breakouts
    if not breakouts.open or breakouts.mode != "choice":
        raise Refused("no_choice", "there are no breakout groups to choose now")
    if cmd.group not in breakouts.groups:
        raise Refused("unknown_group", f"there is no group {cmd.group!r}")
    return [BreakoutChosen(cmd.group)]


RULES: dict[type[Command], Rule[Events]] = {
    OpenBreakouts: Rule(FACILITATORS, _open_breakouts),
    MessageBreakouts: Rule(FACILITATORS, _message_breakouts),
    CloseBreakouts: Rule(FACILITATORS, _close_breakouts),
    ChooseBreakout: Rule(PARTICIPANTS, _choose_breakout),
}


def _breakouts_opened(state: State, event: Stamp, body: BreakoutsOpened) -> None:
    state.breakouts = Breakouts(
        open=True, mode=body.mode, groups={g: list(m) for g, m in body.groups.items()}
    )


def _breakout_chosen(state: State, event: Stamp, body: BreakoutChosen) -> None:
    if event.actor is None:
        return
    for members in state.breakouts.groups.values():
        if event.actor in members:
            members.remove(event.actor)
    state.breakouts.groups.setdefault(body.group, []).append(event.actor)


def _breakouts_messaged(state: State, event: Stamp, body: BreakoutsMessaged) -> None:
    state.breakouts.messages.append(body.text)


def _breakouts_closed(state: State, event: Stamp, body: BreakoutsClosed) -> None:
    state.breakouts.open = False


FOLD: dict[type[Body], Fold] = {
    BreakoutsOpened: _breakouts_opened,
    BreakoutChosen: _breakout_chosen,
    BreakoutsMessaged: _breakouts_messaged,
    BreakoutsClosed: _breakouts_closed,
}

FIELDS: dict[type[Any], Fields] = {
    BreakoutsOpened: Fields(ids=("groups",)),
    BreakoutChosen: Fields(ids=("group",)),
    BreakoutsMessaged: Fields(text=("text",)),
}
