"""Breakout groups: random, by choice or by location (sessions/breakouts.py assigns them),
a message to all groups, and closing them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import msgspec

from sessions.breakouts import assign
from sessions.tools import base
from sessions.tools.base import Body, Command, Refused, Rule

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


Events = BreakoutsOpened | BreakoutChosen | BreakoutsMessaged | BreakoutsClosed


class OpenBreakouts(Command, tag="breakouts.open"):
    mode: base.BreakoutMode = "random"
    size: Annotated[int, msgspec.Meta(ge=2, le=50)] | None = None  # None: the session's size


class MessageBreakouts(Command, tag="breakouts.message"):
    text: base.LongText


class CloseBreakouts(Command, tag="breakouts.close"):
    pass


class ChooseBreakout(Command, tag="breakout.choose"):
    group: base.Ref


Commands = OpenBreakouts | MessageBreakouts | CloseBreakouts | ChooseBreakout


class Breakouts(msgspec.Struct):
    open: bool = False
    mode: base.BreakoutMode = "random"
    groups: dict[str, list[str]] = msgspec.field(default_factory=dict)
    messages: list[str] = msgspec.field(default_factory=list)


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
    return [BreakoutsOpened(cmd.mode, groups)]


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
    return [BreakoutChosen(cmd.group)]


RULES: dict[type[Command], Rule[Events]] = {
    OpenBreakouts: Rule(base.FACILITATORS, _open_breakouts),
    MessageBreakouts: Rule(base.FACILITATORS, _message_breakouts),
    CloseBreakouts: Rule(base.FACILITATORS, _close_breakouts),
    ChooseBreakout: Rule(base.PARTICIPANTS, _choose_breakout),
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
    state.breakouts.open = False


FOLD: dict[type[Body], base.Fold] = {
    BreakoutsOpened: _breakouts_opened,
    BreakoutChosen: _breakout_chosen,
    BreakoutsMessaged: _breakouts_messaged,
    BreakoutsClosed: _breakouts_closed,
}

FIELDS: dict[type[Any], base.Fields] = {
    BreakoutsOpened: base.Fields(ids=("groups",)),
    BreakoutChosen: base.Fields(ids=("group",)),
    BreakoutsMessaged: base.Fields(text=("text",)),
}
