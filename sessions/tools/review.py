"""Terugblik (review): a group's session looks back at the actions still open from its earlier
sessions; owners mark theirs done or carry them over to the next time.

The server loads the open actions when the session is made (`review.opened`, from the group's
tables: sessions/groups/review.py) and links each participant who joins as a member to their
member id (`member.linked`), so that the slice knows whose action is whose without a name. A
status change is logged here (`action.done`, `action.carried`); the latest one across the
group's sessions is the action's status (sessions/groups/action_status.py)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from sessions.tools import base
from sessions.tools.base import Body, Command, Refused, Rule

if TYPE_CHECKING:
    from sessions.tools import State

AGENDA_TOOLS: tuple[base.Tool, ...] = ("review",)
Status = Literal["open", "done", "carried"]


class ReviewItem(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An open action as loaded: its owner is a member id, or None for "de groep"."""

    id: str
    text: str
    owner: str | None = None
    owner_name: str | None = None  # the member's name, shown inside the group only
    due: str | None = None  # ISO date


class ReviewOpened(Body, tag="review.opened"):
    actions: tuple[ReviewItem, ...]


class MemberLinked(Body, tag="member.linked"):
    """A participant of this session is this member of the group."""

    participant: str
    member: str


class ActionDone(Body, tag="action.done"):
    action: str


class ActionCarried(Body, tag="action.carried"):
    """Stays open for the next session, with a new date when `due` is given."""

    action: str
    due: str | None = None


Events = ReviewOpened | MemberLinked | ActionDone | ActionCarried


class MarkActionDone(Command, tag="action.mark_done"):
    action: base.Ref


class CarryAction(Command, tag="action.carry"):
    action: base.Ref
    due: dt.date | None = None  # a new date, "YYYY-MM-DD"; None keeps the one it had


Commands = MarkActionDone | CarryAction


class ReviewAction(msgspec.Struct):
    id: str
    text: str
    owner: str | None = None
    owner_name: str | None = None
    due: str | None = None
    status: Status = "open"


class Review(msgspec.Struct):
    actions: list[ReviewAction] = msgspec.field(default_factory=list)  # in the order loaded
    links: dict[str, str] = msgspec.field(default_factory=dict)  # participant -> member id


def _action(state: State, ref: str) -> ReviewAction:
    for action in state.review.actions:
        if action.id == ref:
            return action
    raise Refused("unknown_action", f"there is no action {ref!r} in this session's terugblik")


def _may_change(state: State, actor: str, action: ReviewAction) -> None:
    """The owner (the participant linked to the owning member), anyone for the group's own
    actions, and facilitators."""
    if action.owner is None or base.is_facilitator(state, actor):
        return
    if state.review.links.get(actor) != action.owner:
        raise Refused(
            "not_your_action",
            "only its owner or a facilitator may change this action; "
            "anyone present may change the group's own",
        )


def _done(
    state: State, actor: str, cmd: MarkActionDone, now: float, new_id: base.IdMaker
) -> list[Events]:
    action = _action(state, cmd.action)
    _may_change(state, actor, action)
    if action.status == "done":
        raise Refused("already_done", "this action is already marked done")
    return [ActionDone(action.id)]


def _carry(
    state: State, actor: str, cmd: CarryAction, now: float, new_id: base.IdMaker
) -> list[Events]:
    action = _action(state, cmd.action)
    _may_change(state, actor, action)
    return [ActionCarried(action.id, cmd.due.isoformat() if cmd.due is not None else None)]


RULES: dict[type[Command], Rule[Events]] = {
    MarkActionDone: Rule(base.PARTICIPANTS, _done),
    CarryAction: Rule(base.PARTICIPANTS, _carry),
}


def _opened(state: State, event: base.Stamp, body: ReviewOpened) -> None:
    state.review.actions = [
        ReviewAction(item.id, item.text, item.owner, item.owner_name, item.due)
        for item in body.actions
    ]


def _linked(state: State, event: base.Stamp, body: MemberLinked) -> None:
    state.review.links[body.participant] = body.member


def _find(state: State, ref: str) -> ReviewAction | None:
    return next((a for a in state.review.actions if a.id == ref), None)


def _marked_done(state: State, event: base.Stamp, body: ActionDone) -> None:
    action = _find(state, body.action)
    if action is not None:
        action.status = "done"


def _carried(state: State, event: base.Stamp, body: ActionCarried) -> None:
    action = _find(state, body.action)
    if action is not None:
        action.status = "carried"
        if body.due is not None:
            action.due = body.due


FOLD: dict[type[Body], base.Fold] = {
    ReviewOpened: _opened,
    MemberLinked: _linked,
    ActionDone: _marked_done,
    ActionCarried: _carried,
}

FIELDS: dict[type[Any], base.Fields] = {
    ReviewOpened: base.Fields(),
    ReviewItem: base.Fields(text=("text", "owner_name"), ids=("id", "owner", "due")),
    MemberLinked: base.Fields(ids=("participant", "member")),
    ActionDone: base.Fields(ids=("action",)),
    ActionCarried: base.Fields(ids=("action", "due")),
}
