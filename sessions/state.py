"""A session's state: a pure fold over its events.

`apply` changes a state by one event; `fold` builds a state from nothing. The same functions
build the server's full state from the log and a participant's state from the events as that
participant receives them (`sessions/views.py`), so both stay in step by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from sessions import events as ev

# The roles that run a session (decide.py authorizes with it; a group chat is theirs to read).
FACILITATORS: frozenset[ev.Role] = frozenset({"facilitator", "co-facilitator"})


class Person(msgspec.Struct):
    name: str
    role: ev.Role
    location: ev.Location | None
    removed: bool = False


class Note(msgspec.Struct):
    author: str | None  # None where the reader may not know (anonymous notes)
    text: str
    x: float
    y: float
    anonymous: bool
    private: bool
    group: str | None
    cluster: str | None = None


class Cluster(msgspec.Struct):
    title: str
    group: str | None


class Voting(msgspec.Struct):
    open: bool = False
    budget: int = 0
    hidden: bool = False
    revealed: bool = False
    ballots: dict[str, dict[str, int]] = msgspec.field(default_factory=dict)  # voter -> votes
    tally: dict[str, int] = msgspec.field(default_factory=dict)


class Round(msgspec.Struct):
    order: list[str] = msgspec.field(default_factory=list)
    current: int | None = None
    passed: list[str] = msgspec.field(default_factory=list)


class Marker(msgspec.Struct):
    owner: str | None  # None where the reader may not know
    kind: ev.MarkerKind
    x: float
    y: float


class Chart(msgspec.Struct):
    x_low: str = "individueel"
    x_high: str = "collectief"
    y_low: str = "formeel"
    y_high: str = "informeel"
    markers: dict[str, Marker] = msgspec.field(default_factory=dict)
    revealed: bool = False


class ChatMessage(msgspec.Struct):
    author: str | None
    text: str
    at: float
    group: str | None
    to: list[str] | None = None  # who may read it; None: everyone (events.ChatPosted)


class Breakouts(msgspec.Struct):
    open: bool = False
    mode: ev.BreakoutMode = "random"
    groups: dict[str, list[str]] = msgspec.field(default_factory=dict)
    messages: list[str] = msgspec.field(default_factory=list)


class State(msgspec.Struct):
    seq: int = 0
    title: str = ""
    phases: list[ev.AgendaPhase] = msgspec.field(default_factory=list)
    goals: list[str] = msgspec.field(default_factory=list)
    modality: str = "online"
    capacity: int | None = None
    breakout_size: int = 4
    anonymous_notes: bool = False
    asynchronous: bool = False
    region: str | None = None
    theme: str | None = None
    video_url: str | None = None  # the video-call link everyone may follow
    phase: int | None = None  # index of the current phase; None before the start
    ends_at: float | None = None  # server time the running phase ends
    remaining: float | None = None  # seconds left while paused
    ended: bool = False
    people: dict[str, Person] = msgspec.field(default_factory=dict)
    notes: dict[str, Note] = msgspec.field(default_factory=dict)
    clusters: dict[str, Cluster] = msgspec.field(default_factory=dict)
    board_locked: bool = False
    voting: Voting = msgspec.field(default_factory=Voting)
    round: Round = msgspec.field(default_factory=Round)
    chart: Chart = msgspec.field(default_factory=Chart)
    chat: list[ChatMessage] = msgspec.field(default_factory=list)
    hands: list[str] = msgspec.field(default_factory=list)  # participants, first raised first
    breakouts: Breakouts = msgspec.field(default_factory=Breakouts)

    def in_room(self) -> int:
        """How many present, not removed, are in the room (for the venue's capacity)."""
        return sum(1 for p in self.people.values() if p.location == "room" and not p.removed)


def fold(events: Iterable[ev.Event], state: State | None = None) -> State:
    """The state after these events (from an empty session, or from `state`)."""
    state = state if state is not None else State()
    for event in events:
        apply(state, event)
    return state


def copy(state: State) -> State:
    """An independent copy (snapshots, and deciding without touching the live state)."""
    return msgspec.json.decode(msgspec.json.encode(state), type=State)


def apply(state: State, event: ev.Event) -> None:
    """Change the state by one event, in place. Unknown references are ignored, never raised:
    a participant's view may lack what an event refers to."""
    state.seq = event.seq
    handler = _HANDLERS.get(type(event.body))
    if handler is not None:
        handler(state, event, event.body)


def _session_created(state: State, event: ev.Event, body: ev.SessionCreated) -> None:
    state.title = body.title
    state.phases = list(body.phases)
    state.goals = list(body.goals)
    state.modality = body.modality
    state.capacity = body.capacity
    state.breakout_size = body.breakout_size
    state.anonymous_notes = body.anonymous_notes
    state.asynchronous = body.asynchronous
    state.region = body.region
    state.theme = body.theme
    state.video_url = body.video_url


def _participant_joined(state: State, event: ev.Event, body: ev.ParticipantJoined) -> None:
    state.people[body.participant] = Person(body.name, body.role, body.location)


def _participant_renamed(state: State, event: ev.Event, body: ev.ParticipantRenamed) -> None:
    if body.participant in state.people:
        state.people[body.participant].name = body.name


def _participant_moved(state: State, event: ev.Event, body: ev.ParticipantMoved) -> None:
    if body.participant in state.people:
        state.people[body.participant].location = body.location


def _participant_removed(state: State, event: ev.Event, body: ev.ParticipantRemoved) -> None:
    person = state.people.get(body.participant)
    if person is not None:
        person.removed = True
    if body.participant in state.hands:
        state.hands.remove(body.participant)


def _role_changed(state: State, event: ev.Event, body: ev.RoleChanged) -> None:
    if body.participant in state.people:
        state.people[body.participant].role = body.role


def _agenda_set(state: State, event: ev.Event, body: ev.AgendaSet) -> None:
    state.phases = list(body.phases)
    if state.phase is not None and state.phase >= len(state.phases):
        state.phase = len(state.phases) - 1 if state.phases else None


def _phase_started(state: State, event: ev.Event, body: ev.PhaseStarted) -> None:
    state.phase = body.index
    state.ends_at = body.ends_at
    state.remaining = None


def _phase_paused(state: State, event: ev.Event, body: ev.PhasePaused) -> None:
    state.ends_at = None
    state.remaining = body.remaining


def _phase_resumed(state: State, event: ev.Event, body: ev.PhaseResumed) -> None:
    state.ends_at = body.ends_at
    state.remaining = None


def _phase_extended(state: State, event: ev.Event, body: ev.PhaseExtended) -> None:
    state.ends_at = body.ends_at
    state.remaining = body.remaining


def _session_ended(state: State, event: ev.Event, body: ev.SessionEnded) -> None:
    state.ended = True
    state.ends_at = None
    state.remaining = None


def _video_set(state: State, event: ev.Event, body: ev.VideoSet) -> None:
    state.video_url = body.url


def _note_added(state: State, event: ev.Event, body: ev.NoteAdded) -> None:
    state.notes[body.note] = Note(
        author=event.actor,
        text=body.text,
        x=body.x,
        y=body.y,
        anonymous=body.anonymous,
        private=body.private,
        group=body.group,
    )


def _note_edited(state: State, event: ev.Event, body: ev.NoteEdited) -> None:
    if body.note in state.notes:
        state.notes[body.note].text = body.text


def _note_moved(state: State, event: ev.Event, body: ev.NoteMoved) -> None:
    note = state.notes.get(body.note)
    if note is not None:
        note.x, note.y = body.x, body.y


def _note_deleted(state: State, event: ev.Event, body: ev.NoteDeleted) -> None:
    state.notes.pop(body.note, None)
    _drop_target(state.voting, body.note)


def _notes_revealed(state: State, event: ev.Event, body: ev.NotesRevealed) -> None:
    for note_id, revealed in body.notes.items():
        known = state.notes.get(note_id)
        state.notes[note_id] = Note(
            # Whoever knew the author (the author, the server) keeps knowing.
            author=known.author if known is not None else revealed.author,
            text=revealed.text,
            x=revealed.x,
            y=revealed.y,
            anonymous=revealed.anonymous,
            private=False,
            group=revealed.group,
            cluster=revealed.cluster,
        )


def _cluster_created(state: State, event: ev.Event, body: ev.ClusterCreated) -> None:
    state.clusters[body.cluster] = Cluster(body.title, body.group)


def _cluster_renamed(state: State, event: ev.Event, body: ev.ClusterRenamed) -> None:
    if body.cluster in state.clusters:
        state.clusters[body.cluster].title = body.title


def _note_clustered(state: State, event: ev.Event, body: ev.NoteClustered) -> None:
    if body.note in state.notes:
        state.notes[body.note].cluster = body.cluster


def _board_locked(state: State, event: ev.Event, body: ev.BoardLocked) -> None:
    state.board_locked = body.locked


def _voting_opened(state: State, event: ev.Event, body: ev.VotingOpened) -> None:
    state.voting = Voting(open=True, budget=body.budget, hidden=body.hidden)


def _vote_cast(state: State, event: ev.Event, body: ev.VoteCast) -> None:
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


def _voting_closed(state: State, event: ev.Event, body: ev.VotingClosed) -> None:
    state.voting.open = False


def _votes_revealed(state: State, event: ev.Event, body: ev.VotesRevealed) -> None:
    state.voting.revealed = True
    state.voting.tally = dict(body.tally)


def _drop_target(voting: Voting, target: str) -> None:
    voting.tally.pop(target, None)
    for voter in list(voting.ballots):
        voting.ballots[voter].pop(target, None)
        if not voting.ballots[voter]:
            del voting.ballots[voter]


def _round_started(state: State, event: ev.Event, body: ev.RoundStarted) -> None:
    state.round = Round(order=list(body.order), current=0 if body.order else None)


def _round_advanced(state: State, event: ev.Event, body: ev.RoundAdvanced) -> None:
    rnd = state.round
    if body.passed and rnd.current is not None and rnd.current < len(rnd.order):
        rnd.passed.append(rnd.order[rnd.current])
    rnd.current = body.current


def _round_ended(state: State, event: ev.Event, body: ev.RoundEnded) -> None:
    state.round.current = None


def _chart_configured(state: State, event: ev.Event, body: ev.ChartConfigured) -> None:
    chart = state.chart
    chart.x_low, chart.x_high, chart.y_low, chart.y_high = (
        body.x_low,
        body.x_high,
        body.y_low,
        body.y_high,
    )


def _marker_placed(state: State, event: ev.Event, body: ev.MarkerPlaced) -> None:
    state.chart.markers[body.marker] = Marker(event.actor, body.kind, body.x, body.y)


def _chart_revealed(state: State, event: ev.Event, body: ev.ChartRevealed) -> None:
    chart = state.chart
    chart.revealed = True
    for marker_id, (kind, x, y) in body.markers.items():
        known = chart.markers.get(marker_id)
        owner = known.owner if known is not None else None
        chart.markers[marker_id] = Marker(owner, kind, x, y)


def chat_readers(state: State, author: str | None, group: str | None) -> tuple[str, ...] | None:
    """Who may read a chat message posted now: a breakout group's message is for the group (as
    it is now), whoever facilitates and its author; None (everyone) for the plenary chat."""
    if group is None:
        return None
    facilitators = {
        pid
        for pid, person in state.people.items()
        if person.role in FACILITATORS and not person.removed
    }
    members = state.breakouts.groups.get(group, [])
    return tuple(sorted({*members, *facilitators, *([author] if author else [])}))


def _chat_posted(state: State, event: ev.Event, body: ev.ChatPosted) -> None:
    # A log from before events named their readers: the same rule, on the state it was posted in.
    to = body.to if body.to is not None else chat_readers(state, event.actor, body.group)
    state.chat.append(
        ChatMessage(event.actor, body.text, event.at, body.group, list(to) if to else None)
    )


def _hand_raised(state: State, event: ev.Event, body: ev.HandRaised) -> None:
    if event.actor is not None and event.actor not in state.hands:
        state.hands.append(event.actor)


def _hand_lowered(state: State, event: ev.Event, body: ev.HandLowered) -> None:
    if body.participant in state.hands:
        state.hands.remove(body.participant)


def _breakouts_opened(state: State, event: ev.Event, body: ev.BreakoutsOpened) -> None:
    state.breakouts = Breakouts(
        open=True, mode=body.mode, groups={g: list(m) for g, m in body.groups.items()}
    )


def _breakout_chosen(state: State, event: ev.Event, body: ev.BreakoutChosen) -> None:
    if event.actor is None:
        return
    for members in state.breakouts.groups.values():
        if event.actor in members:
            members.remove(event.actor)
    state.breakouts.groups.setdefault(body.group, []).append(event.actor)


def _breakouts_messaged(state: State, event: ev.Event, body: ev.BreakoutsMessaged) -> None:
    state.breakouts.messages.append(body.text)


def _breakouts_closed(state: State, event: ev.Event, body: ev.BreakoutsClosed) -> None:
    state.breakouts.open = False


_HANDLERS: dict[type[ev.Body], Callable[[State, ev.Event, Any], None]] = {
    ev.SessionCreated: _session_created,
    ev.ParticipantJoined: _participant_joined,
    ev.ParticipantRenamed: _participant_renamed,
    ev.ParticipantMoved: _participant_moved,
    ev.ParticipantRemoved: _participant_removed,
    ev.RoleChanged: _role_changed,
    ev.AgendaSet: _agenda_set,
    ev.PhaseStarted: _phase_started,
    ev.PhasePaused: _phase_paused,
    ev.PhaseResumed: _phase_resumed,
    ev.PhaseExtended: _phase_extended,
    ev.SessionEnded: _session_ended,
    ev.VideoSet: _video_set,
    ev.NoteAdded: _note_added,
    ev.NoteEdited: _note_edited,
    ev.NoteMoved: _note_moved,
    ev.NoteDeleted: _note_deleted,
    ev.NotesRevealed: _notes_revealed,
    ev.ClusterCreated: _cluster_created,
    ev.ClusterRenamed: _cluster_renamed,
    ev.NoteClustered: _note_clustered,
    ev.BoardLocked: _board_locked,
    ev.VotingOpened: _voting_opened,
    ev.VoteCast: _vote_cast,
    ev.VotingClosed: _voting_closed,
    ev.VotesRevealed: _votes_revealed,
    ev.RoundStarted: _round_started,
    ev.RoundAdvanced: _round_advanced,
    ev.RoundEnded: _round_ended,
    ev.ChartConfigured: _chart_configured,
    ev.MarkerPlaced: _marker_placed,
    ev.ChartRevealed: _chart_revealed,
    ev.ChatPosted: _chat_posted,
    ev.HandRaised: _hand_raised,
    ev.HandLowered: _hand_lowered,
    ev.BreakoutsOpened: _breakouts_opened,
    ev.BreakoutChosen: _breakout_chosen,
    ev.BreakoutsMessaged: _breakouts_messaged,
    ev.BreakoutsClosed: _breakouts_closed,
}
