"""What a client may ask of a live session: the commands of the websocket protocol.

Each command is a tagged msgspec Struct with the client's command `id` (a retried command with
the same id is applied once). `decode` turns a frame into a typed message or a `ProtocolError`
that says what was wrong. Limits on sizes live here, next to the fields they bound.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal
from urllib.parse import urlsplit

import msgspec

from server.badinput import MAX_JSON_DEPTH, NUL, TOO_DEEP, json_problem
from sessions import events as ev

MAX_FRAME_BYTES = 16 * 1024
# Text must hold something besides spaces (the pattern needs one non-space character).
_SOMETHING = r"\S"
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=_SOMETHING)]
LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=1000, pattern=_SOMETHING)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=120, pattern=_SOMETHING)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=60, pattern=_SOMETHING)]
Ref = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
CommandId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Unit = Annotated[float, msgspec.Meta(ge=0, le=1)]
MAX_URL_LENGTH = 500
# A video-call link. Its form and length are checked by video_url_problem() (in decide() and on
# create), so every refusal says what is allowed; the frame limit bounds what is decoded.
VideoUrl = str


class Message(msgspec.Struct, tag_field="type", forbid_unknown_fields=True):
    """Base of every client message."""


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


class Command(Message):
    id: CommandId


# Facilitation --------------------------------------------------------------------------------


class SetAgenda(Command, tag="agenda.set"):
    phases: Annotated[list[ev.AgendaPhase], msgspec.Meta(min_length=1, max_length=40)]


class StartPhase(Command, tag="phase.start"):
    index: Annotated[int, msgspec.Meta(ge=0)]


class NextPhase(Command, tag="phase.next"):
    pass


class PreviousPhase(Command, tag="phase.previous"):
    pass


class PausePhase(Command, tag="phase.pause"):
    pass


class ResumePhase(Command, tag="phase.resume"):
    pass


class ExtendPhase(Command, tag="phase.extend"):
    minutes: Annotated[int, msgspec.Meta(ge=-60, le=120)]


class EndSession(Command, tag="session.end"):
    pass


class SetVideo(Command, tag="session.video"):
    """The session's video-call link (None: no link)."""

    url: VideoUrl | None


class LockBoard(Command, tag="board.lock"):
    locked: bool


class RemoveParticipant(Command, tag="participant.remove"):
    participant: Ref


class SetRole(Command, tag="role.set"):
    participant: Ref
    role: ev.Role


class RevealNotes(Command, tag="notes.reveal"):
    pass


class OpenVoting(Command, tag="voting.open"):
    budget: Annotated[int, msgspec.Meta(ge=1, le=20)] = 3
    hidden: bool = False


class CloseVoting(Command, tag="voting.close"):
    pass


class RevealVotes(Command, tag="votes.reveal"):
    pass


class StartRound(Command, tag="round.start"):
    order: Annotated[list[Ref], msgspec.Meta(max_length=500)] | None = None  # None: all present


class NextSpeaker(Command, tag="round.next"):
    pass


class EndRound(Command, tag="round.end"):
    pass


class ConfigureChart(Command, tag="chart.configure"):
    x_low: Title
    x_high: Title
    y_low: Title
    y_high: Title


class RevealChart(Command, tag="chart.reveal"):
    pass


class OpenBreakouts(Command, tag="breakouts.open"):
    mode: ev.BreakoutMode = "random"
    size: Annotated[int, msgspec.Meta(ge=2, le=50)] | None = None  # None: the session's size


class MessageBreakouts(Command, tag="breakouts.message"):
    text: LongText


class CloseBreakouts(Command, tag="breakouts.close"):
    pass


# Everyone ------------------------------------------------------------------------------------


class AddNote(Command, tag="note.add"):
    text: Text
    x: Unit = 0.5
    y: Unit = 0.5
    anonymous: bool | None = None  # None: the session's default
    private: bool = False


class EditNote(Command, tag="note.edit"):
    note: Ref
    text: Text


class MoveNote(Command, tag="note.move"):
    note: Ref
    x: Unit
    y: Unit


class DeleteNote(Command, tag="note.delete"):
    note: Ref


class CreateCluster(Command, tag="cluster.create"):
    title: Title


class RenameCluster(Command, tag="cluster.rename"):
    cluster: Ref
    title: Title


class ClusterNote(Command, tag="note.cluster"):
    note: Ref
    cluster: Ref | None


class CastVote(Command, tag="vote.cast"):
    target: Ref


class RetractVote(Command, tag="vote.retract"):
    target: Ref


class PassTurn(Command, tag="round.pass"):
    pass


class PlaceMarker(Command, tag="marker.place"):
    kind: ev.MarkerKind
    x: Unit
    y: Unit


class PostChat(Command, tag="chat.post"):
    text: LongText


class RaiseHand(Command, tag="hand.raise"):
    pass


class LowerHand(Command, tag="hand.lower"):
    participant: Ref | None = None  # None: my own hand


class ChooseBreakout(Command, tag="breakout.choose"):
    group: Ref


class Rename(Command, tag="participant.rename"):
    name: Name


class MoveLocation(Command, tag="participant.move"):
    location: ev.Location


AnyCommand = (
    SetAgenda
    | StartPhase
    | NextPhase
    | PreviousPhase
    | PausePhase
    | ResumePhase
    | ExtendPhase
    | EndSession
    | SetVideo
    | LockBoard
    | RemoveParticipant
    | SetRole
    | RevealNotes
    | OpenVoting
    | CloseVoting
    | RevealVotes
    | StartRound
    | NextSpeaker
    | EndRound
    | ConfigureChart
    | RevealChart
    | OpenBreakouts
    | MessageBreakouts
    | CloseBreakouts
    | AddNote
    | EditNote
    | MoveNote
    | DeleteNote
    | CreateCluster
    | RenameCluster
    | ClusterNote
    | CastVote
    | RetractVote
    | PassTurn
    | PlaceMarker
    | PostChat
    | RaiseHand
    | LowerHand
    | ChooseBreakout
    | Rename
    | MoveLocation
)
ClientMessage = Hello | Signal | AnyCommand
COMMAND_TYPES = frozenset(
    msgspec.inspect.type_info(t).tag  # type: ignore[attr-defined]
    for t in AnyCommand.__args__
)

_decoder: msgspec.json.Decoder[ClientMessage] = msgspec.json.Decoder(ClientMessage)


VIDEO_URL_RULE = (
    f"a video-call link must be an http:// or https:// address with a host, at most "
    f"{MAX_URL_LENGTH} characters, without spaces or control characters"
)


def video_url_problem(url: str) -> str | None:
    """What is wrong with a video-call link (a message naming what is allowed), or None."""
    if not url:
        return f"{VIDEO_URL_RULE}; this one is empty (send null to remove the link)"
    if len(url) > MAX_URL_LENGTH:
        return f"{VIDEO_URL_RULE}; this one has {len(url)} characters"
    # Spaces, controls and invisible format characters (bidi overrides) could disguise where
    # a link leads; a real link needs none of them (they are percent-encoded).
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs") for ch in url):
        return f"{VIDEO_URL_RULE}; this one contains a space or control character"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return f"{VIDEO_URL_RULE}; this one cannot be read as an address"
    if parts.scheme.lower() not in ("http", "https"):
        start = f"{parts.scheme}:" if parts.scheme else "no scheme such as https:"
        return f"{VIDEO_URL_RULE}; this one starts with {start}"
    if not parts.hostname:
        return f"{VIDEO_URL_RULE}; this one has no host"
    if "@" in parts.netloc:
        # https://meet.example@elsewhere.example leads to elsewhere.example.
        return f"{VIDEO_URL_RULE} and without a user name before the host"
    return None


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
