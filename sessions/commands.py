"""What a client may ask of a live session: the commands of the websocket protocol.

Each command is a tagged msgspec Struct with the client's command `id` (a retried command with
the same id is applied once). `decode` turns a frame into a typed message or a `ProtocolError`
that says what was wrong. Each command is defined by its tool's slice in sessions/tools/
(with the limits on its fields' sizes) and the union `AnyCommand` is assembled there; this
module is their public face and holds the connection's own messages (`Hello`, `Signal`), the
frame limits and the decoder.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from server.badinput import MAX_JSON_DEPTH, NUL, TOO_DEEP, json_problem
from sessions.tools import AnyCommand
from sessions.tools.base import (
    Command,
    CommandId,
    LongText,
    Message,
    Name,
    Ref,
    Text,
    Title,
    Unit,
)
from sessions.tools.board import (
    AddNote,
    ClusterNote,
    CreateCluster,
    DeleteNote,
    EditNote,
    LockBoard,
    MoveNote,
    RenameCluster,
    RevealNotes,
)
from sessions.tools.breakouts import (
    ChooseBreakout,
    CloseBreakouts,
    MessageBreakouts,
    OpenBreakouts,
    SetBreakoutVideo,
)
from sessions.tools.chart import ConfigureChart, PlaceMarker, RevealChart
from sessions.tools.chat import DeleteChat, PostChat
from sessions.tools.hands import LowerHand, RaiseHand
from sessions.tools.people import LockJoins, MoveLocation, RemoveParticipant, Rename, SetRole
from sessions.tools.phases import (
    EndSession,
    ExtendPhase,
    NextPhase,
    PausePhase,
    PreviousPhase,
    ResumePhase,
    SetAgenda,
    StartPhase,
)
from sessions.tools.review import CarryAction, MarkActionDone
from sessions.tools.rounds import EndRound, NextSpeaker, PassTurn, StartRound
from sessions.tools.session import SetVideo, VideoUrl
from sessions.tools.voting import CastVote, CloseVoting, OpenVoting, RetractVote, RevealVotes
from sessions.video import MAX_URL_LENGTH, VIDEO_URL_RULE, video_url_problem

__all__ = [
    "MAX_FRAME_BYTES",
    "MAX_URL_LENGTH",
    "VIDEO_URL_RULE",
    "AddNote",
    "AnyCommand",
    "CarryAction",
    "CastVote",
    "ChooseBreakout",
    "ClientMessage",
    "CloseBreakouts",
    "CloseVoting",
    "ClusterNote",
    "Command",
    "CommandId",
    "ConfigureChart",
    "CreateCluster",
    "DeleteChat",
    "DeleteNote",
    "EditNote",
    "EndRound",
    "EndSession",
    "ExtendPhase",
    "Hello",
    "LockBoard",
    "LockJoins",
    "LongText",
    "LowerHand",
    "MarkActionDone",
    "Message",
    "MessageBreakouts",
    "MoveLocation",
    "MoveNote",
    "Name",
    "NextPhase",
    "NextSpeaker",
    "OpenBreakouts",
    "OpenVoting",
    "PassTurn",
    "PausePhase",
    "PlaceMarker",
    "PostChat",
    "PreviousPhase",
    "ProtocolError",
    "RaiseHand",
    "Ref",
    "RemoveParticipant",
    "Rename",
    "RenameCluster",
    "ResumePhase",
    "RetractVote",
    "RevealChart",
    "RevealNotes",
    "RevealVotes",
    "SetAgenda",
    "SetBreakoutVideo",
    "SetRole",
    "SetVideo",
    "Signal",
    "StartPhase",
    "StartRound",
    "Text",
    "Title",
    "Unit",
    "VideoUrl",
    "decode",
    "video_url_problem",
]

MAX_FRAME_BYTES = 16 * 1024


class Hello(Message, tag="hello"):
    """First message on a connection: who I am (signed token) and the last seq I have."""

    token: Annotated[str, msgspec.Meta(max_length=500)]
    last_seq: Annotated[int, msgspec.Meta(ge=0)] = 0


class Signal(Message, tag="signal"):
    """Ephemeral: presence, typing, a note being dragged. Never logged; sent on as it is."""

    kind: Literal["typing", "dragging", "pointer"]
    ref: Ref | None = None
    x: Unit | None = None
    y: Unit | None = None


ClientMessage = Hello | Signal | AnyCommand
COMMAND_TYPES = frozenset(
    msgspec.inspect.type_info(t).tag  # type: ignore[attr-defined]
    for t in AnyCommand.__args__
)

_decoder: msgspec.json.Decoder[ClientMessage] = msgspec.json.Decoder(ClientMessage)


class ProtocolError(Exception):
    """A frame the server cannot accept; `code` is stable, `message` says what and why."""

    def __init__(self, code: str, message: str, command_id: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.command_id = command_id


def decode(frame: str | bytes) -> ClientMessage:
    """A typed client message, or ProtocolError (too large, not JSON, unknown type, bad field)."""
    raw = frame.encode() if isinstance(frame, str) else frame
    if len(raw) > MAX_FRAME_BYTES:
        raise ProtocolError("too_large", f"a message may have at most {MAX_FRAME_BYTES} bytes")
    # Before any parser recurses into it (a 2 KB `[[[…` exhausts the stack), and before a NUL
    # reaches a text (PostgreSQL cannot store one): one linear scan of the bytes.
    problem = json_problem(raw)
    if problem == TOO_DEEP:
        raise ProtocolError(
            "invalid", f"a message may nest lists and objects at most {MAX_JSON_DEPTH} deep"
        )
    if problem == NUL:
        raise ProtocolError(
            "invalid",
            "a text may not contain the NUL character (\\u0000)",
            _command_id(raw.replace(b"\x00", b"")),
        )
    try:
        return _decoder.decode(raw)
    except msgspec.ValidationError as error:
        text = str(error)
        code = "unknown_type" if "Invalid value" in text and "$.type" in text else "invalid"
        if "Object missing required field `type`" in text:
            code = "unknown_type"
        raise ProtocolError(code, text, _command_id(raw)) from None
    except msgspec.DecodeError as error:
        raise ProtocolError("malformed", f"not valid JSON: {error}") from None


class _IdOnly(msgspec.Struct):
    """Only a frame's `id`: the other fields are skipped, not converted, so a number out of
    range elsewhere (`1e400`) does not cost the error its id."""

    id: object = None


_id_decoder = msgspec.json.Decoder(_IdOnly)


def _command_id(raw: bytes) -> str | None:
    """The command id of a refused frame, when it has one, so the client can match the error."""
    try:
        command_id = _id_decoder.decode(raw).id
    except (msgspec.DecodeError, msgspec.ValidationError):  # not JSON, not an object, a bad id
        return None
    return command_id[:64] if isinstance(command_id, str) else None
