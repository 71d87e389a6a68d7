"""What happens in a live session: the events of its log, as typed structures.

The event log is the source of truth; a session's state is a pure fold over these events
(`sessions/state.py`). Each event body is a tagged msgspec Struct, so the log, the wire and the
fold share one definition. The semantics of every event are documented in docs/protocol.md.
"""

from __future__ import annotations

from typing import Literal

import msgspec

Modality = Literal["on-site", "online", "hybrid"]
Role = Literal["facilitator", "co-facilitator", "participant", "observer"]
Location = Literal["room", "remote"]
MarkerKind = Literal["now", "desired"]
BreakoutMode = Literal["random", "choice", "location"]
HiddenWhat = Literal["note", "vote", "marker", "chat"]
Tool = Literal["board", "vote", "round", "position-chart", "chat", "breakout", "harvest"]


class Body(msgspec.Struct, tag_field="type", forbid_unknown_fields=True):
    """Base of every event body; `type` on the wire is the tag."""


class AgendaPhase(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    minutes: int
    tool: Tool
    purpose: str = ""
    instructions: str = ""
    until: float | None = None  # asynchronous sessions: the date this phase closes (epoch s)


# Session and people -------------------------------------------------------------------------


class SessionCreated(Body, tag="session.created"):
    title: str
    phases: tuple[AgendaPhase, ...]
    goals: tuple[str, ...]
    modality: Modality
    capacity: int | None  # places in the room (hybrid, on-site); None: no limit
    breakout_size: int
    anonymous_notes: bool
    asynchronous: bool
    region: str | None = None  # the Werkplaats (region slug) and the theme on its agenda
    theme: str | None = None
    video_url: str | None = None  # the video-call link, checked by commands.video_url_problem


class ParticipantJoined(Body, tag="participant.joined"):
    participant: str
    name: str
    role: Role
    location: Location | None


class ParticipantRenamed(Body, tag="participant.renamed"):
    participant: str
    name: str


class ParticipantMoved(Body, tag="participant.moved"):
    """A participant changed between the room and remote."""

    participant: str
    location: Location


class ParticipantRemoved(Body, tag="participant.removed"):
    participant: str


class RoleChanged(Body, tag="role.changed"):
    participant: str
    role: Role


# Agenda and time ----------------------------------------------------------------------------


class AgendaSet(Body, tag="agenda.set"):
    phases: tuple[AgendaPhase, ...]


class PhaseStarted(Body, tag="phase.started"):
    index: int
    ends_at: float | None  # epoch seconds, server time; None for a phase without a timer


class PhasePaused(Body, tag="phase.paused"):
    remaining: float  # seconds left when paused


class PhaseResumed(Body, tag="phase.resumed"):
    ends_at: float


class PhaseExtended(Body, tag="phase.extended"):
    ends_at: float | None  # when running
    remaining: float | None  # when paused


class SessionEnded(Body, tag="session.ended"):
    pass


class VideoSet(Body, tag="video.set"):
    """The session's video-call link changed (None: removed)."""

    url: str | None


# Board --------------------------------------------------------------------------------------


class NoteAdded(Body, tag="note.added"):
    note: str
    text: str
    x: float
    y: float
    anonymous: bool
    private: bool  # written privately: only its author sees it until the notes are revealed
    group: str | None  # breakout group, or None for the plenary board


class NoteEdited(Body, tag="note.edited"):
    note: str
    text: str


class NoteMoved(Body, tag="note.moved"):
    note: str
    x: float
    y: float


class NoteDeleted(Body, tag="note.deleted"):
    note: str


class RevealedNote(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    author: str | None  # None for anonymous notes
    text: str
    x: float
    y: float
    anonymous: bool
    group: str | None
    cluster: str | None


class NotesRevealed(Body, tag="notes.revealed"):
    """Every private note becomes visible, whole, for those who had not seen it."""

    notes: dict[str, RevealedNote]


class ClusterCreated(Body, tag="cluster.created"):
    cluster: str
    title: str
    group: str | None


class ClusterRenamed(Body, tag="cluster.renamed"):
    cluster: str
    title: str


class NoteClustered(Body, tag="note.clustered"):
    note: str
    cluster: str | None


class BoardLocked(Body, tag="board.locked"):
    locked: bool


# Voting -------------------------------------------------------------------------------------


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


# Rounds -------------------------------------------------------------------------------------


class RoundStarted(Body, tag="round.started"):
    order: tuple[str, ...]  # participant ids, in speaking order


class RoundAdvanced(Body, tag="round.advanced"):
    current: int | None  # index into order; None when the round is over
    passed: bool  # the previous speaker passed


class RoundEnded(Body, tag="round.ended"):
    pass


# Positioning chart --------------------------------------------------------------------------


class ChartConfigured(Body, tag="chart.configured"):
    x_low: str
    x_high: str
    y_low: str
    y_high: str


class MarkerPlaced(Body, tag="marker.placed"):
    marker: str  # one per participant and kind; its id does not reveal who placed it
    kind: MarkerKind
    x: float  # 0..1
    y: float  # 0..1


class ChartRevealed(Body, tag="chart.revealed"):
    markers: dict[str, tuple[MarkerKind, float, float]]  # marker -> (kind, x, y), anonymous


# Chat and hands -----------------------------------------------------------------------------


class ChatPosted(Body, tag="chat.posted"):
    message: str
    text: str
    group: str | None
    # Who may read a breakout group's message: its members when it was posted, the facilitators
    # and the author (sorted). None: everyone (plenary chat, and logs from before it).
    to: tuple[str, ...] | None = None


class HandRaised(Body, tag="hand.raised"):
    pass


class HandLowered(Body, tag="hand.lowered"):
    participant: str  # the facilitator may lower someone else's hand


# Breakouts ----------------------------------------------------------------------------------


class BreakoutsOpened(Body, tag="breakouts.opened"):
    mode: BreakoutMode
    groups: dict[str, tuple[str, ...]]  # group id -> participant ids (empty lists for "choice")


class BreakoutChosen(Body, tag="breakout.chosen"):
    group: str


class BreakoutsMessaged(Body, tag="breakouts.messaged"):
    text: str


class BreakoutsClosed(Body, tag="breakouts.closed"):
    pass


class Hidden(Body, tag="hidden"):
    """Stands in, for a reader, for an event that reader may not see (yet): a note written in
    private, a hidden vote, a marker. It keeps every reader's seq gap-free."""

    what: HiddenWhat


EventBody = (
    Hidden
    | SessionCreated
    | ParticipantJoined
    | ParticipantRenamed
    | ParticipantMoved
    | ParticipantRemoved
    | RoleChanged
    | AgendaSet
    | PhaseStarted
    | PhasePaused
    | PhaseResumed
    | PhaseExtended
    | SessionEnded
    | VideoSet
    | NoteAdded
    | NoteEdited
    | NoteMoved
    | NoteDeleted
    | NotesRevealed
    | ClusterCreated
    | ClusterRenamed
    | NoteClustered
    | BoardLocked
    | VotingOpened
    | VoteCast
    | VotingClosed
    | VotesRevealed
    | RoundStarted
    | RoundAdvanced
    | RoundEnded
    | ChartConfigured
    | MarkerPlaced
    | ChartRevealed
    | ChatPosted
    | HandRaised
    | HandLowered
    | BreakoutsOpened
    | BreakoutChosen
    | BreakoutsMessaged
    | BreakoutsClosed
)


class Event(msgspec.Struct, frozen=True):
    """One entry of a session's log: gap-free `seq`, who did it, when (server time), what."""

    seq: int
    actor: str | None  # participant id; None for the system
    at: float
    body: EventBody


body_encoder = msgspec.json.Encoder()
body_decoder: msgspec.json.Decoder[EventBody] = msgspec.json.Decoder(EventBody)
