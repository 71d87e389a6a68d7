"""Reactions: a participant sends one of five reactions to the running phase; everyone sees the
counts live, nobody sees who sent what. They are the room's mood, not a product: an outcome
captures them only when a facilitator keeps them (also after the end, while composing it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import msgspec

from sessions.tools import base
from sessions.tools.base import Body, Command, Refused, Rule

if TYPE_CHECKING:
    from sessions.tools import State

AGENDA_TOOLS: tuple[base.Tool, ...] = ()
Kind = Literal["agree", "applause", "idea", "question", "heart"]


class ReactionSent(Body, tag="reaction.sent"):
    kind: Kind
    phase: int  # the phase running when it was sent


class ReactionsKept(Body, tag="reactions.kept"):
    keep: bool


Events = ReactionSent | ReactionsKept


class SendReaction(Command, tag="reaction.send"):
    kind: Kind


class KeepReactions(Command, tag="reactions.keep"):
    keep: bool


Commands = SendReaction | KeepReactions


class Reactions(msgspec.Struct):
    counts: dict[str, dict[str, int]] = msgspec.field(default_factory=dict)  # phase -> kind -> n
    kept: bool = False  # captured in the outcome


def _send(
    state: State, actor: str, cmd: SendReaction, now: float, new_id: base.IdMaker
) -> list[Events]:
    if state.phase is None:
        raise Refused("no_phase", "a reaction goes to the running phase, and none has started")
    return [ReactionSent(cmd.kind, state.phase)]


def _keep(
    state: State, actor: str, cmd: KeepReactions, now: float, new_id: base.IdMaker
) -> list[Events]:
    return [ReactionsKept(cmd.keep)]


RULES: dict[type[Command], Rule[Events]] = {
    SendReaction: Rule(base.PARTICIPANTS, _send),
    KeepReactions: Rule(base.FACILITATORS, _keep, after_end=True),
}


def _sent(state: State, event: base.Stamp, body: ReactionSent) -> None:
    counts = state.reactions.counts.setdefault(str(body.phase), {})
    counts[body.kind] = counts.get(body.kind, 0) + 1


def _kept(state: State, event: base.Stamp, body: ReactionsKept) -> None:
    state.reactions.kept = body.keep


FOLD: dict[type[Body], base.Fold] = {ReactionSent: _sent, ReactionsKept: _kept}


def _anonymous(state: State, actor: str, body: ReactionSent) -> base.Seen:
    return base.Seen()  # others get it without its actor: reactions are anonymous


AUDIENCE: dict[type[Body], base.AudienceRule] = {ReactionSent: _anonymous}


def capture(state: State) -> dict[str, Any]:
    """Per phase, its name and the counts; nothing unless a facilitator kept them."""
    if not state.reactions.kept:
        return {}
    return {
        "reactions": [
            {"phase": int(index), "name": state.phases[int(index)].name, "counts": dict(counts)}
            for index, counts in sorted(state.reactions.counts.items(), key=lambda i: int(i[0]))
            if int(index) < len(state.phases)
        ]
    }
