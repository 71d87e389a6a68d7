"""Voting on notes and clusters: a budget of votes each, anonymous, optionally hidden until
revealed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import msgspec

from sessions.tools import base
from sessions.tools.base import Body, Command, Refused, Rule

if TYPE_CHECKING:
    from sessions.tools import State

AGENDA_TOOLS: tuple[base.Tool, ...] = ("vote",)


class VotingOpened(Body, tag="voting.opened"):
    budget: int
    hidden: bool


class VoteCast(Body, tag="vote.cast"):
    target: str  # a note or a cluster
    count: int  # +1 or -1


class VotingClosed(Body, tag="voting.closed"):
    pass


class VotesRevealed(Body, tag="votes.revealed"):
    tally: dict[str, int]  # target -> votes


Events = VotingOpened | VoteCast | VotingClosed | VotesRevealed


class OpenVoting(Command, tag="voting.open"):
    budget: Annotated[int, msgspec.Meta(ge=1, le=20)] = 3
    hidden: bool = False


class CloseVoting(Command, tag="voting.close"):
    pass


class RevealVotes(Command, tag="votes.reveal"):
    pass


class CastVote(Command, tag="vote.cast"):
    target: base.Ref


class RetractVote(Command, tag="vote.retract"):
    target: base.Ref


Commands = OpenVoting | CloseVoting | RevealVotes | CastVote | RetractVote


class Voting(msgspec.Struct):
    open: bool = False
    budget: int = 0
    hidden: bool = False
    revealed: bool = False
    ballots: dict[str, dict[str, int]] = msgspec.field(default_factory=dict)  # voter -> votes
    tally: dict[str, int] = msgspec.field(default_factory=dict)


def _open_voting(
    state: State, actor: str, cmd: OpenVoting, now: float, new_id: base.IdMaker
) -> list[Events]:
    return [VotingOpened(cmd.budget, cmd.hidden)]


def _close_voting(
    state: State, actor: str, cmd: CloseVoting, now: float, new_id: base.IdMaker
) -> list[Events]:
    if not state.voting.open:
        raise Refused("voting_closed", "voting is not open")
    return [VotingClosed()]


def _reveal_votes(
    state: State, actor: str, cmd: RevealVotes, now: float, new_id: base.IdMaker
) -> list[Events]:
    if state.voting.budget == 0:
        raise Refused("no_voting", "there has been no voting to reveal")
    return [VotesRevealed(dict(state.voting.tally))]


def _vote_target(state: State, target: str) -> None:
    note = state.notes.get(target)
    if (note is None or note.private) and target not in state.clusters:
        raise Refused("unknown_target", f"there is no note or cluster {target!r} to vote on")


def _cast_vote(
    state: State, actor: str, cmd: CastVote, now: float, new_id: base.IdMaker
) -> list[Events]:
    voting = state.voting
    if not voting.open:
        raise Refused("voting_closed", "voting is not open")
    _vote_target(state, cmd.target)
    used = sum(voting.ballots.get(actor, {}).values())
    if used >= voting.budget:
        raise Refused("over_budget", f"you have used all {voting.budget} of your votes")
    return [VoteCast(cmd.target, 1)]


def _retract_vote(
    state: State, actor: str, cmd: RetractVote, now: float, new_id: base.IdMaker
) -> list[Events]:
    if not state.voting.open:
        raise Refused("voting_closed", "voting is not open")
    if state.voting.ballots.get(actor, {}).get(cmd.target, 0) <= 0:
        raise Refused("no_vote", "you have no vote on this to take back")
    return [VoteCast(cmd.target, -1)]


RULES: dict[type[Command], Rule[Events]] = {
    OpenVoting: Rule(base.FACILITATORS, _open_voting),
    CloseVoting: Rule(base.FACILITATORS, _close_voting),
    RevealVotes: Rule(base.FACILITATORS, _reveal_votes),
    CastVote: Rule(base.PARTICIPANTS, _cast_vote),
    RetractVote: Rule(base.PARTICIPANTS, _retract_vote),
}


def _voting_opened(state: State, event: base.Stamp, body: VotingOpened) -> None:
    state.voting = Voting(open=True, budget=body.budget, hidden=body.hidden)


def _vote_cast(state: State, event: base.Stamp, body: VoteCast) -> None:
    voting = state.voting
    if event.actor is not None:
        ballot = voting.ballots.setdefault(event.actor, {})
        ballot[body.target] = ballot.get(body.target, 0) + body.count
        if ballot[body.target] <= 0:
            del ballot[body.target]
        if not ballot:
            del voting.ballots[event.actor]
    voting.tally[body.target] = voting.tally.get(body.target, 0) + body.count
    if voting.tally[body.target] <= 0:
        del voting.tally[body.target]


def _voting_closed(state: State, event: base.Stamp, body: VotingClosed) -> None:
    state.voting.open = False


def _votes_revealed(state: State, event: base.Stamp, body: VotesRevealed) -> None:
    state.voting.revealed = True
    state.voting.tally = dict(body.tally)


FOLD: dict[type[Body], base.Fold] = {
    VotingOpened: _voting_opened,
    VoteCast: _vote_cast,
    VotingClosed: _voting_closed,
    VotesRevealed: _votes_revealed,
}


def _vote_seen(state: State, actor: str, body: VoteCast) -> base.Seen | None:
    """Votes are anonymous; while voting is hidden only the voter sees their own votes."""
    if state.voting.hidden and not state.voting.revealed:
        return base.Seen("vote")
    return base.Seen()


AUDIENCE: dict[type[Body], base.AudienceRule] = {VoteCast: _vote_seen}


def project(state: State, mine: State, reader: str | None) -> None:
    """A reader's voting: their own ballot, and the tally once it is visible."""
    voting = state.voting
    own = dict(voting.ballots.get(reader, {})) if reader is not None else {}
    visible = not voting.hidden or voting.revealed
    mine.voting = Voting(
        open=voting.open,
        budget=voting.budget,
        hidden=voting.hidden,
        revealed=voting.revealed,
        ballots={reader: own} if reader is not None and own else {},
        tally=dict(voting.tally) if visible else dict(own),
    )


FIELDS: dict[type[Any], base.Fields] = {
    VoteCast: base.Fields(ids=("target",)),
    VotesRevealed: base.Fields(ids=("tally",)),
}
