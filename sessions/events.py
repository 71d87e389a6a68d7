"""What happens in a live session: the events of its log, as typed structures.

The event log is the source of truth; a session's state is a pure fold over these events
(`sessions/state.py`). Each event body is a tagged msgspec Struct, so the log, the wire and the
fold share one definition. Each body is defined by its tool's slice in sessions/tools/ and the
union `EventBody` is assembled there; this module is their public face and holds the envelope,
`Event`. The semantics of every event are documented in docs/protocol.md.
"""

from __future__ import annotations

import msgspec

from sessions.tools import EventBody, text_event_types
from sessions.tools.base import (
    AgendaPhase,
    Body,
    BreakoutMode,
    Hidden,
    HiddenWhat,
    Location,
    Modality,
    Role,
    Tool,
)
from sessions.tools.board import (
    BoardLocked,
    ClusterCreated,
    ClusterRenamed,
    NoteAdded,
    NoteClustered,
    NoteDeleted,
    NoteEdited,
    NoteMoved,
    NotesRevealed,
    RevealedNote,
)
from sessions.tools.breakouts import (
    BreakoutChosen,
    BreakoutRoom,
    BreakoutsClosed,
    BreakoutsMessaged,
    BreakoutsOpened,
)
from sessions.tools.chart import ChartConfigured, ChartRevealed, MarkerKind, MarkerPlaced
from sessions.tools.chat import ChatDeleted, ChatPosted
from sessions.tools.hands import HandLowered, HandRaised
from sessions.tools.people import (
    JoinsLocked,
    ParticipantJoined,
    ParticipantMoved,
    ParticipantRemoved,
    ParticipantRenamed,
    RoleChanged,
)
from sessions.tools.phases import (
    AgendaSet,
    PhaseExtended,
    PhasePaused,
    PhaseResumed,
    PhaseStarted,
    SessionEnded,
)
from sessions.tools.review import ActionCarried, ActionDone, MemberLinked, ReviewItem, ReviewOpened
from sessions.tools.rounds import RoundAdvanced, RoundEnded, RoundStarted
from sessions.tools.session import SessionCreated, VideoSet
from sessions.tools.voting import VoteCast, VotesRevealed, VotingClosed, VotingOpened

__all__ = [
    "ActionCarried",
    "ActionDone",
    "AgendaPhase",
    "AgendaSet",
    "BoardLocked",
    "Body",
    "BreakoutChosen",
    "BreakoutMode",
    "BreakoutRoom",
    "BreakoutsClosed",
    "BreakoutsMessaged",
    "BreakoutsOpened",
    "ChartConfigured",
    "ChartRevealed",
    "ChatDeleted",
    "ChatPosted",
    "ClusterCreated",
    "ClusterRenamed",
    "Event",
    "EventBody",
    "HandLowered",
    "HandRaised",
    "Hidden",
    "HiddenWhat",
    "JoinsLocked",
    "Location",
    "MarkerKind",
    "MarkerPlaced",
    "MemberLinked",
    "Modality",
    "NoteAdded",
    "NoteClustered",
    "NoteDeleted",
    "NoteEdited",
    "NoteMoved",
    "NotesRevealed",
    "ParticipantJoined",
    "ParticipantMoved",
    "ParticipantRemoved",
    "ParticipantRenamed",
    "PhaseExtended",
    "PhasePaused",
    "PhaseResumed",
    "PhaseStarted",
    "RevealedNote",
    "ReviewItem",
    "ReviewOpened",
    "Role",
    "RoleChanged",
    "RoundAdvanced",
    "RoundEnded",
    "RoundStarted",
    "SessionCreated",
    "SessionEnded",
    "Tool",
    "VideoSet",
    "VoteCast",
    "VotesRevealed",
    "VotingClosed",
    "VotingOpened",
    "body_decoder",
    "body_encoder",
    "text_event_types",
]


class Event(msgspec.Struct, frozen=True):
    """One entry of a session's log: gap-free `seq`, who did it, when (server time), what."""

    seq: int
    actor: str | None  # participant id; None for the system
    at: float
    body: EventBody


body_encoder = msgspec.json.Encoder()
body_decoder: msgspec.json.Decoder[EventBody] = msgspec.json.Decoder(EventBody)
