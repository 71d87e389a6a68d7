"""The speaking round: everyone in turn, with the right to pass."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import msgspec

from sessions.tools import base
from sessions.tools.base import Body, Command, Refused, Rule

if TYPE_CHECKING:
    from sessions.tools import State

AGENDA_TOOLS: tuple[base.Tool, ...] = ("round",)


class RoundStarted(Body, tag="round.started"):
    order: tuple[str, ...]  # participant ids, in speaking order


class RoundAdvanced(Body, tag="round.advanced"):
    current: int | None  # index into order; None when the round is over
    passed: bool  # the previous speaker passed


class RoundEnded(Body, tag="round.ended"):
    pass


Events = RoundStarted | RoundAdvanced | RoundEnded


class StartRound(Command, tag="round.start"):
    order: Annotated[list[base.Ref], msgspec.Meta(max_length=500)] | None = (
        None  # None: all present
    )


class NextSpeaker(Command, tag="round.next"):
    pass


class EndRound(Command, tag="round.end"):
    pass


class PassTurn(Command, tag="round.pass"):
    pass


Commands = StartRound | NextSpeaker | EndRound | PassTurn


class Round(msgspec.Struct):
    order: list[str] = msgspec.field(default_factory=list)
    current: int | None = None
    passed: list[str] = msgspec.field(default_factory=list)


def _start_round(
    state: State, actor: str, cmd: StartRound, now: float, new_id: base.IdMaker
) -> list[Events]:
    order = cmd.order if cmd.order is not None else base.present(state)
    for participant in order:
        base.known(state, participant)
    if len(set(order)) != len(order):
        raise Refused("invalid", "a participant appears twice in the order")
    if not order:
        raise Refused("invalid", "a round needs at least one speaker")
    return [RoundStarted(tuple(order))]


def _advance(state: State, passed: bool) -> list[Events]:
    rnd = state.round
    if rnd.current is None:
        raise Refused("no_round", "no round is going on")
    following = rnd.current + 1
    return [RoundAdvanced(following if following < len(rnd.order) else None, passed)]


def _next_speaker(
    state: State, actor: str, cmd: NextSpeaker, now: float, new_id: base.IdMaker
) -> list[Events]:
    return _advance(state, passed=False)


def _end_round(
    state: State, actor: str, cmd: EndRound, now: float, new_id: base.IdMaker
) -> list[Events]:
    if state.round.current is None:
        raise Refused("no_round", "no round is going on")
    return [RoundEnded()]


def _pass_turn(
    state: State, actor: str, cmd: PassTurn, now: float, new_id: base.IdMaker
) -> list[Events]:
    rnd = state.round
    if rnd.current is None:
        raise Refused("no_round", "no round is going on")
    if rnd.order[rnd.current] != actor and not base.is_facilitator(state, actor):
        raise Refused("not_your_turn", "only the current speaker can pass")
    return _advance(state, passed=True)


RULES: dict[type[Command], Rule[Events]] = {
    StartRound: Rule(base.FACILITATORS, _start_round),
    NextSpeaker: Rule(base.FACILITATORS, _next_speaker),
    EndRound: Rule(base.FACILITATORS, _end_round),
    PassTurn: Rule(base.PARTICIPANTS, _pass_turn),
}


def _round_started(state: State, event: base.Stamp, body: RoundStarted) -> None:
    state.round = Round(order=list(body.order), current=0 if body.order else None)


def _round_advanced(state: State, event: base.Stamp, body: RoundAdvanced) -> None:
    rnd = state.round
    if body.passed and rnd.current is not None and rnd.current < len(rnd.order):
        rnd.passed.append(rnd.order[rnd.current])
    rnd.current = body.current


def _round_ended(state: State, event: base.Stamp, body: RoundEnded) -> None:
    state.round.current = None


FOLD: dict[type[Body], base.Fold] = {
    RoundStarted: _round_started,
    RoundAdvanced: _round_advanced,
    RoundEnded: _round_ended,
}

FIELDS: dict[type[Any], base.Fields] = {RoundStarted: base.Fields(ids=("order",))}


def capture(state: State) -> dict[str, Any]:
    """The speaking order and who passed."""
    return {"round": {"order": list(state.round.order), "passed": list(state.round.passed)}}
