"""Deciding a command: may this person do it, is it valid now, and which events it makes.

Pure: the state, the actor, the command, the time and an id maker in; event bodies out, or
`Refused` with a stable code and a message that says why. Authorization lives here, in one
table (`ALLOWED`), and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable

from sessions import commands as c
from sessions import events as ev
from sessions.breakouts import assign
from sessions.state import FACILITATORS, Person, State, chat_readers

PARTICIPANTS: frozenset[ev.Role] = FACILITATORS | {"participant"}
EVERYONE: frozenset[ev.Role] = PARTICIPANTS | {"observer"}

# Which roles may send which command. Checks on ownership and state follow in each handler.
ALLOWED: dict[type[c.Command], frozenset[ev.Role]] = {
    c.SetAgenda: FACILITATORS,
    c.StartPhase: FACILITATORS,
    c.NextPhase: FACILITATORS,
    c.PreviousPhase: FACILITATORS,
    c.PausePhase: FACILITATORS,
    c.ResumePhase: FACILITATORS,
    c.ExtendPhase: FACILITATORS,
    c.EndSession: FACILITATORS,
    c.SetVideo: FACILITATORS,
    c.LockBoard: FACILITATORS,
    c.RemoveParticipant: FACILITATORS,
    c.SetRole: frozenset({"facilitator"}),
    c.RevealNotes: FACILITATORS,
    c.OpenVoting: FACILITATORS,
    c.CloseVoting: FACILITATORS,
    c.RevealVotes: FACILITATORS,
    c.StartRound: FACILITATORS,
    c.NextSpeaker: FACILITATORS,
    c.EndRound: FACILITATORS,
    c.ConfigureChart: FACILITATORS,
    c.RevealChart: FACILITATORS,
    c.OpenBreakouts: FACILITATORS,
    c.MessageBreakouts: FACILITATORS,
    c.CloseBreakouts: FACILITATORS,
    c.AddNote: PARTICIPANTS,
    c.EditNote: PARTICIPANTS,
    c.MoveNote: PARTICIPANTS,
    c.DeleteNote: PARTICIPANTS,
    c.CreateCluster: PARTICIPANTS,
    c.RenameCluster: PARTICIPANTS,
    c.ClusterNote: PARTICIPANTS,
    c.CastVote: PARTICIPANTS,
    c.RetractVote: PARTICIPANTS,
    c.PassTurn: PARTICIPANTS,
    c.PlaceMarker: PARTICIPANTS,
    c.PostChat: EVERYONE,
    c.RaiseHand: EVERYONE,
    c.LowerHand: EVERYONE,
    c.ChooseBreakout: PARTICIPANTS,
    c.Rename: EVERYONE,
    c.MoveLocation: EVERYONE,
}
MAX_NOTES = 2000
MAX_CHAT = 5000
# Each participant's share of those limits, so one person (who needs no account) cannot fill
# the board or the chat for everyone else. Facilitators and co-facilitators have no share.
MAX_NOTES_PER_PERSON = 200
MAX_CHAT_PER_PERSON = 500


class Refused(Exception):
    """A command that is not allowed, or not valid now; nothing is logged."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


IdMaker = Callable[[], str]


def decide(
    state: State, actor: str, command: c.Command, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    """The events a command makes, or Refused."""
    person = state.people.get(actor)
    if person is None or person.removed:
        raise Refused("not_a_participant", "you are not (or no longer) in this session")
    allowed = ALLOWED.get(type(command), frozenset())
    if person.role not in allowed:
        raise Refused(
            "forbidden",
            f"a {person.role} may not {command_name(command)}; "
            f"allowed for: {', '.join(sorted(allowed))}",
        )
    if state.ended and not isinstance(command, c.PostChat | c.Rename):
        raise Refused("session_ended", "this session has ended")
    handler = _HANDLERS[type(command)]
    return handler(state, actor, command, now, new_id)


def command_name(command: c.Command) -> str:
    info = command.__struct_config__.tag
    return str(info)


def _is_facilitator(state: State, actor: str) -> bool:
    return state.people[actor].role in FACILITATORS


# Facilitation --------------------------------------------------------------------------------


def _set_agenda(
    state: State, actor: str, cmd: c.SetAgenda, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    for phase in cmd.phases:
        if not 1 <= phase.minutes <= 600 or not phase.name.strip():
            raise Refused("invalid", "every phase needs a name and 1 to 600 minutes")
    if cmd.phases[-1].tool != "harvest":
        raise Refused("invalid", "the last phase must be a harvest")
    return [ev.AgendaSet(tuple(cmd.phases))]


def _ends_at(state: State, index: int, now: float) -> float | None:
    if state.asynchronous:
        # Phases over days close on their date (if the agenda gives one), not after minutes.
        return state.phases[index].until
    return now + 60 * state.phases[index].minutes


def _start_phase(
    state: State, actor: str, cmd: c.StartPhase, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    if cmd.index >= len(state.phases):
        raise Refused(
            "no_such_phase", f"there is no phase {cmd.index}; the agenda has {len(state.phases)}"
        )
    return [ev.PhaseStarted(cmd.index, _ends_at(state, cmd.index, now))]


def _next_phase(
    state: State, actor: str, cmd: c.NextPhase, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    index = 0 if state.phase is None else state.phase + 1
    if index >= len(state.phases):
        raise Refused("no_next_phase", "this is the last phase; end the session instead")
    return [ev.PhaseStarted(index, _ends_at(state, index, now))]


def _previous_phase(
    state: State, actor: str, cmd: c.PreviousPhase, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    if state.phase is None or state.phase == 0:
        raise Refused("no_previous_phase", "there is no phase before this one")
    index = state.phase - 1
    return [ev.PhaseStarted(index, _ends_at(state, index, now))]


def _pause(
    state: State, actor: str, cmd: c.PausePhase, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    if state.ends_at is None:
        raise Refused("not_running", "no timer is running")
    return [ev.PhasePaused(max(0.0, state.ends_at - now))]


def _resume(
    state: State, actor: str, cmd: c.ResumePhase, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    if state.remaining is None:
        raise Refused("not_paused", "the timer is not paused")
    return [ev.PhaseResumed(now + state.remaining)]


def _extend(
    state: State, actor: str, cmd: c.ExtendPhase, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    seconds = 60 * cmd.minutes
    if state.ends_at is not None:
        return [ev.PhaseExtended(max(now, state.ends_at + seconds), None)]
    if state.remaining is not None:
        return [ev.PhaseExtended(None, max(0.0, state.remaining + seconds))]
    raise Refused("not_running", "no timer is running or paused")


def _end(
    state: State, actor: str, cmd: c.EndSession, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    return [ev.SessionEnded()]


def _set_video(
    state: State, actor: str, cmd: c.SetVideo, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    if cmd.url is not None:
        problem = c.video_url_problem(cmd.url)
        if problem is not None:
            raise Refused("invalid", problem)
    return [ev.VideoSet(cmd.url)]


def _lock(
    state: State, actor: str, cmd: c.LockBoard, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    return [ev.BoardLocked(cmd.locked)]


def _remove(
    state: State, actor: str, cmd: c.RemoveParticipant, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    target = _person(state, cmd.participant)
    if cmd.participant == actor:
        raise Refused("invalid", "you cannot remove yourself")
    if target.role == "facilitator" and state.people[actor].role != "facilitator":
        raise Refused("forbidden", "only a facilitator may remove a facilitator")
    return [ev.ParticipantRemoved(cmd.participant)]


def _set_role(
    state: State, actor: str, cmd: c.SetRole, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    _person(state, cmd.participant)
    if cmd.participant == actor and cmd.role != "facilitator":
        others = [
            p
            for pid, p in state.people.items()
            if pid != actor and p.role == "facilitator" and not p.removed
        ]
        if not others:
            raise Refused("last_facilitator", "hand the facilitator role to someone else first")
    return [ev.RoleChanged(cmd.participant, cmd.role)]


def _person(state: State, participant: str) -> Person:
    person = state.people.get(participant)
    if person is None or person.removed:
        raise Refused("unknown_participant", f"there is no participant {participant!r}")
    return person


def _reveal_notes(
    state: State, actor: str, cmd: c.RevealNotes, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    hidden = {
        note_id: ev.RevealedNote(
            None if note.anonymous else note.author,
            note.text,
            note.x,
            note.y,
            note.anonymous,
            note.group,
            note.cluster,
        )
        for note_id, note in state.notes.items()
        if note.private
    }
    if not hidden:
        raise Refused("nothing_to_reveal", "there are no private notes to reveal")
    return [ev.NotesRevealed(hidden)]


def _open_voting(
    state: State, actor: str, cmd: c.OpenVoting, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    return [ev.VotingOpened(cmd.budget, cmd.hidden)]


def _close_voting(
    state: State, actor: str, cmd: c.CloseVoting, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    if not state.voting.open:
        raise Refused("voting_closed", "voting is not open")
    return [ev.VotingClosed()]


def _reveal_votes(
    state: State, actor: str, cmd: c.RevealVotes, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    if state.voting.budget == 0:
        raise Refused("no_voting", "there has been no voting to reveal")
    return [ev.VotesRevealed(dict(state.voting.tally))]


def _present(state: State) -> list[str]:
    return [pid for pid, p in state.people.items() if not p.removed and p.role in PARTICIPANTS]


def _start_round(
    state: State, actor: str, cmd: c.StartRound, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    order = cmd.order if cmd.order is not None else _present(state)
    for participant in order:
        _person(state, participant)
    if len(set(order)) != len(order):
        raise Refused("invalid", "a participant appears twice in the order")
    if not order:
        raise Refused("invalid", "a round needs at least one speaker")
    return [ev.RoundStarted(tuple(order))]


def _advance(state: State, passed: bool) -> list[ev.EventBody]:
    rnd = state.round
    if rnd.current is None:
        raise Refused("no_round", "no round is going on")
    following = rnd.current + 1
    return [ev.RoundAdvanced(following if following < len(rnd.order) else None, passed)]


def _next_speaker(
    state: State, actor: str, cmd: c.NextSpeaker, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    return _advance(state, passed=False)


def _end_round(
    state: State, actor: str, cmd: c.EndRound, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    if state.round.current is None:
        raise Refused("no_round", "no round is going on")
    return [ev.RoundEnded()]


def _pass_turn(
    state: State, actor: str, cmd: c.PassTurn, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    rnd = state.round
    if rnd.current is None:
        raise Refused("no_round", "no round is going on")
    if rnd.order[rnd.current] != actor and not _is_facilitator(state, actor):
        raise Refused("not_your_turn", "only the current speaker can pass")
    return _advance(state, passed=True)


def _configure_chart(
    state: State, actor: str, cmd: c.ConfigureChart, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    return [ev.ChartConfigured(cmd.x_low, cmd.x_high, cmd.y_low, cmd.y_high)]


def _reveal_chart(
    state: State, actor: str, cmd: c.RevealChart, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    markers = {m: (marker.kind, marker.x, marker.y) for m, marker in state.chart.markers.items()}
    return [ev.ChartRevealed(markers)]


def _open_breakouts(
    state: State, actor: str, cmd: c.OpenBreakouts, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    size = cmd.size or state.breakout_size
    people = [
        (pid, state.people[pid].location)
        for pid in _present(state)
        if state.people[pid].role == "participant"
    ]
    if not people:
        raise Refused("no_participants", "there is nobody to split into groups")
    groups = assign(people, size, cmd.mode, seed=state.seq)
    return [ev.BreakoutsOpened(cmd.mode, groups)]


def _message_breakouts(
    state: State, actor: str, cmd: c.MessageBreakouts, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    if not state.breakouts.open:
        raise Refused("no_breakouts", "no breakout groups are open")
    return [ev.BreakoutsMessaged(cmd.text)]


def _close_breakouts(
    state: State, actor: str, cmd: c.CloseBreakouts, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    if not state.breakouts.open:
        raise Refused("no_breakouts", "no breakout groups are open")
    return [ev.BreakoutsClosed()]


# Everyone ------------------------------------------------------------------------------------


def _group_of(state: State, actor: str) -> str | None:
    if not state.breakouts.open:
        return None
    for group, members in state.breakouts.groups.items():
        if actor in members:
            return group
    return None


def _board_open(state: State, actor: str) -> None:
    if state.board_locked and not _is_facilitator(state, actor):
        raise Refused("board_locked", "the board is read-only now")


def _add_note(
    state: State, actor: str, cmd: c.AddNote, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    _board_open(state, actor)
    if len(state.notes) >= MAX_NOTES:
        raise Refused("too_many", f"a board holds at most {MAX_NOTES} notes")
    if not _is_facilitator(state, actor):
        yours = sum(1 for note in state.notes.values() if note.author == actor)
        if yours >= MAX_NOTES_PER_PERSON:
            raise Refused(
                "too_many_yours",
                f"you have {MAX_NOTES_PER_PERSON} notes on the board, the most one participant "
                "may have; delete one of yours first",
            )
    anonymous = state.anonymous_notes if cmd.anonymous is None else cmd.anonymous
    return [
        ev.NoteAdded(
            new_id(),
            cmd.text.strip(),
            cmd.x,
            cmd.y,
            anonymous,
            cmd.private,
            _group_of(state, actor),
        )
    ]


def _own_note(state: State, actor: str, note_id: str, may_facilitate: bool) -> None:
    note = state.notes.get(note_id)
    if note is None or (note.private and note.author != actor):
        raise Refused("unknown_note", f"there is no note {note_id!r}")
    if note.author != actor and not (may_facilitate and _is_facilitator(state, actor)):
        raise Refused("not_your_note", "you can only change your own notes")


def _edit_note(
    state: State, actor: str, cmd: c.EditNote, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    _board_open(state, actor)
    _own_note(state, actor, cmd.note, may_facilitate=False)
    return [ev.NoteEdited(cmd.note, cmd.text.strip())]


def _move_note(
    state: State, actor: str, cmd: c.MoveNote, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    _board_open(state, actor)
    note = state.notes.get(cmd.note)
    if note is None or (note.private and note.author != actor):
        raise Refused("unknown_note", f"there is no note {cmd.note!r}")
    return [ev.NoteMoved(cmd.note, cmd.x, cmd.y)]  # arranging the board is everyone's work


def _delete_note(
    state: State, actor: str, cmd: c.DeleteNote, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    _board_open(state, actor)
    _own_note(state, actor, cmd.note, may_facilitate=True)
    return [ev.NoteDeleted(cmd.note)]


def _create_cluster(
    state: State, actor: str, cmd: c.CreateCluster, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    _board_open(state, actor)
    return [ev.ClusterCreated(new_id(), cmd.title, _group_of(state, actor))]


def _rename_cluster(
    state: State, actor: str, cmd: c.RenameCluster, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    _board_open(state, actor)
    if cmd.cluster not in state.clusters:
        raise Refused("unknown_cluster", f"there is no cluster {cmd.cluster!r}")
    return [ev.ClusterRenamed(cmd.cluster, cmd.title)]


def _cluster_note(
    state: State, actor: str, cmd: c.ClusterNote, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    _board_open(state, actor)
    note = state.notes.get(cmd.note)
    if note is None or note.private:
        raise Refused("unknown_note", f"there is no (revealed) note {cmd.note!r}")
    if cmd.cluster is not None and cmd.cluster not in state.clusters:
        raise Refused("unknown_cluster", f"there is no cluster {cmd.cluster!r}")
    return [ev.NoteClustered(cmd.note, cmd.cluster)]


def _vote_target(state: State, target: str) -> None:
    note = state.notes.get(target)
    if (note is None or note.private) and target not in state.clusters:
        raise Refused("unknown_target", f"there is no note or cluster {target!r} to vote on")


def _cast_vote(
    state: State, actor: str, cmd: c.CastVote, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    voting = state.voting
    if not voting.open:
        raise Refused("voting_closed", "voting is not open")
    _vote_target(state, cmd.target)
    used = sum(voting.ballots.get(actor, {}).values())
    if used >= voting.budget:
        raise Refused("over_budget", f"you have used all {voting.budget} of your votes")
    return [ev.VoteCast(cmd.target, 1)]


def _retract_vote(
    state: State, actor: str, cmd: c.RetractVote, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    if not state.voting.open:
        raise Refused("voting_closed", "voting is not open")
    if state.voting.ballots.get(actor, {}).get(cmd.target, 0) <= 0:
        raise Refused("no_vote", "you have no vote on this to take back")
    return [ev.VoteCast(cmd.target, -1)]


def _place_marker(
    state: State, actor: str, cmd: c.PlaceMarker, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    for marker_id, marker in state.chart.markers.items():
        if marker.owner == actor and marker.kind == cmd.kind:
            return [ev.MarkerPlaced(marker_id, cmd.kind, cmd.x, cmd.y)]
    return [ev.MarkerPlaced(new_id(), cmd.kind, cmd.x, cmd.y)]


def _post_chat(
    state: State, actor: str, cmd: c.PostChat, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    if len(state.chat) >= MAX_CHAT:
        raise Refused("too_many", f"a chat holds at most {MAX_CHAT} messages")
    if not _is_facilitator(state, actor):
        yours = sum(1 for message in state.chat if message.author == actor)
        if yours >= MAX_CHAT_PER_PERSON:
            raise Refused(
                "too_many_yours",
                f"you have posted {MAX_CHAT_PER_PERSON} messages, the most one participant may",
            )
    group = _group_of(state, actor)
    return [ev.ChatPosted(new_id(), cmd.text, group, chat_readers(state, actor, group))]


def _raise_hand(
    state: State, actor: str, cmd: c.RaiseHand, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    if actor in state.hands:
        raise Refused("already_raised", "your hand is already raised")
    return [ev.HandRaised()]


def _lower_hand(
    state: State, actor: str, cmd: c.LowerHand, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    whose = cmd.participant or actor
    if whose != actor and not _is_facilitator(state, actor):
        raise Refused("forbidden", "only a facilitator may lower someone else's hand")
    if whose not in state.hands:
        raise Refused("not_raised", "that hand is not raised")
    return [ev.HandLowered(whose)]


def _choose_breakout(
    state: State, actor: str, cmd: c.ChooseBreakout, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    breakouts = state.breakouts
    if not breakouts.open or breakouts.mode != "choice":
        raise Refused("no_choice", "there are no breakout groups to choose now")
    if cmd.group not in breakouts.groups:
        raise Refused("unknown_group", f"there is no group {cmd.group!r}")
    return [ev.BreakoutChosen(cmd.group)]


def _rename(
    state: State, actor: str, cmd: c.Rename, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    return [ev.ParticipantRenamed(actor, " ".join(cmd.name.split()))]


def _move_location(
    state: State, actor: str, cmd: c.MoveLocation, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    person = state.people[actor]
    if state.modality != "hybrid":
        raise Refused("not_hybrid", "only a hybrid session has a room and remote places")
    if cmd.location == person.location:
        return []
    if cmd.location == "room" and state.capacity is not None and state.in_room() >= state.capacity:
        raise Refused("room_full", f"the room is full ({state.capacity} places); join remotely")
    return [ev.ParticipantMoved(actor, cmd.location)]


_HANDLERS: dict[type[c.Command], Callable[..., list[ev.EventBody]]] = {
    c.SetAgenda: _set_agenda,
    c.StartPhase: _start_phase,
    c.NextPhase: _next_phase,
    c.PreviousPhase: _previous_phase,
    c.PausePhase: _pause,
    c.ResumePhase: _resume,
    c.ExtendPhase: _extend,
    c.EndSession: _end,
    c.SetVideo: _set_video,
    c.LockBoard: _lock,
    c.RemoveParticipant: _remove,
    c.SetRole: _set_role,
    c.RevealNotes: _reveal_notes,
    c.OpenVoting: _open_voting,
    c.CloseVoting: _close_voting,
    c.RevealVotes: _reveal_votes,
    c.StartRound: _start_round,
    c.NextSpeaker: _next_speaker,
    c.EndRound: _end_round,
    c.ConfigureChart: _configure_chart,
    c.RevealChart: _reveal_chart,
    c.OpenBreakouts: _open_breakouts,
    c.MessageBreakouts: _message_breakouts,
    c.CloseBreakouts: _close_breakouts,
    c.AddNote: _add_note,
    c.EditNote: _edit_note,
    c.MoveNote: _move_note,
    c.DeleteNote: _delete_note,
    c.CreateCluster: _create_cluster,
    c.RenameCluster: _rename_cluster,
    c.ClusterNote: _cluster_note,
    c.CastVote: _cast_vote,
    c.RetractVote: _retract_vote,
    c.PassTurn: _pass_turn,
    c.PlaceMarker: _place_marker,
    c.PostChat: _post_chat,
    c.RaiseHand: _raise_hand,
    c.LowerHand: _lower_hand,
    c.ChooseBreakout: _choose_breakout,
    c.Rename: _rename,
    c.MoveLocation: _move_location,
}


def advance_if_due(state: State, now: float) -> list[ev.EventBody]:
    """An asynchronous session moves to its next phase when the current one's date has passed.

    Decided in the writer like any command, so two processes ticking at once advance it once.
    """
    due = state.ends_at is not None and state.ends_at <= now
    if not state.asynchronous or state.ended or state.phase is None or not due:
        return []
    following = state.phase + 1
    if following >= len(state.phases):
        return [ev.SessionEnded()]
    return [ev.PhaseStarted(following, _ends_at(state, following, now))]


def decide_join(
    state: State, participant: str, name: str, location: ev.Location | None
) -> list[ev.EventBody]:
    """Someone joins with a display name; in a hybrid session, in the room or remote.

    The room's capacity is checked here, in the writer, one join after another: it is never
    exceeded, however many join at once.
    """
    if not state.title:
        raise Refused("unknown_session", "this session does not exist")
    if state.ended:
        raise Refused("session_ended", "this session has ended")
    known = state.people.get(participant)
    if known is not None:
        if known.removed:
            raise Refused("removed", "you were removed from this session")
        return []  # already in: joining again changes nothing
    if state.modality == "hybrid" and location is None:
        raise Refused("location_required", "say whether you are in the room or remote")
    if state.modality == "online":
        location = "remote"
    elif state.modality == "on-site":
        location = "room"
    if location == "room" and state.capacity is not None and state.in_room() >= state.capacity:
        raise Refused(
            "room_full",
            f"the room is full ({state.capacity} places); you can take part remotely",
        )
    return [ev.ParticipantJoined(participant, " ".join(name.split()), "participant", location)]
