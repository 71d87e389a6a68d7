"""Raised hands, first raised first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sessions.tools import base
from sessions.tools.base import Body, Command, Refused, Rule

if TYPE_CHECKING:
    from sessions.tools import State

AGENDA_TOOLS: tuple[base.Tool, ...] = ()


class HandRaised(Body, tag="hand.raised"):
    pass


class HandLowered(Body, tag="hand.lowered"):
    participant: str  # the facilitator may lower someone else's hand


Events = HandRaised | HandLowered


class RaiseHand(Command, tag="hand.raise"):
    pass


class LowerHand(Command, tag="hand.lower"):
    participant: base.Ref | None = None  # None: my own hand


Commands = RaiseHand | LowerHand


def _raise_hand(
    state: State, actor: str, cmd: RaiseHand, now: float, new_id: base.IdMaker
) -> list[Events]:
    if actor in state.hands:
        raise Refused("already_raised", "your hand is already raised")
    return [HandRaised()]


def _lower_hand(
    state: State, actor: str, cmd: LowerHand, now: float, new_id: base.IdMaker
) -> list[Events]:
    whose = cmd.participant or actor
    if whose != actor and not base.is_facilitator(state, actor):
        raise Refused("forbidden", "only a facilitator may lower someone else's hand")
    if whose not in state.hands:
        raise Refused("not_raised", "that hand is not raised")
    return [HandLowered(whose)]


RULES: dict[type[Command], Rule[Events]] = {
    RaiseHand: Rule(base.EVERYONE, _raise_hand),
    LowerHand: Rule(base.EVERYONE, _lower_hand),
}


def _hand_raised(state: State, event: base.Stamp, body: HandRaised) -> None:
    if event.actor is not None and event.actor not in state.hands:
        state.hands.append(event.actor)


def _hand_lowered(state: State, event: base.Stamp, body: HandLowered) -> None:
    if body.participant in state.hands:
        state.hands.remove(body.participant)


FOLD: dict[type[Body], base.Fold] = {HandRaised: _hand_raised, HandLowered: _hand_lowered}

FIELDS: dict[type[Any], base.Fields] = {HandLowered: base.Fields(ids=("participant",))}
