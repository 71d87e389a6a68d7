"""What the server processes tell each other over the bus (server/bus): one type per message.

Each keeps the text it has always had on the wire, so old and new processes understand each
other during a rolling upgrade on one bus, and a presence chunk stays within the NOTIFY
budget presence counts in bytes of ids. `decode` raises ValueError for anything else.

| channel | message | text |
|---|---|---|
| `session.N` | Appended: a process committed events first..last | `process:first:last` |
| `signal.N` | Signalled: a participant's ephemeral signal, as its frame | `process|sender|frame` |
| `presence.N` | PresenceAsk: tell me who is connected to you | `process|?` |
| `presence.N` | PresenceChunk: part `index` of `count` of a set | `process|gen|index|count|ids` |
| `sessions.erased` | Erased: these sessions' logs were rewritten | `sender|1,2,3` |
"""

from __future__ import annotations

from dataclasses import dataclass


def appends_channel(session_id: int) -> str:
    return f"session.{session_id}"


def signals_channel(session_id: int) -> str:
    return f"signal.{session_id}"


def presence_channel(session_id: int) -> str:
    return f"presence.{session_id}"


ERASED_CHANNEL = "sessions.erased"


@dataclass(frozen=True, slots=True)
class Appended:
    process: str
    first: int
    last: int

    def encode(self) -> str:
        return f"{self.process}:{self.first}:{self.last}"

    @classmethod
    def decode(cls, payload: str) -> Appended:
        process, first, last = payload.rsplit(":", 2)
        return cls(process, int(first), int(last))


@dataclass(frozen=True, slots=True)
class Signalled:
    process: str
    sender: str
    frame: str  # the signal frame as the receivers get it (JSON)

    def encode(self) -> str:
        return f"{self.process}|{self.sender}|{self.frame}"

    @classmethod
    def decode(cls, payload: str) -> Signalled:
        process, sender, frame = payload.split("|", 2)
        return cls(process, sender, frame)


@dataclass(frozen=True, slots=True)
class PresenceAsk:
    process: str

    def encode(self) -> str:
        return f"{self.process}|?"


@dataclass(frozen=True, slots=True)
class PresenceChunk:
    process: str
    generation: int
    index: int
    count: int
    participants: tuple[str, ...]

    def encode(self) -> str:
        ids = " ".join(self.participants)
        return f"{self.process}|{self.generation}|{self.index}|{self.count}|{ids}"


def decode_presence(payload: str) -> PresenceAsk | PresenceChunk:
    """An ask or a chunk; ValueError when the payload is neither."""
    process, separator, message = payload.partition("|")
    if not separator:
        raise ValueError("not a presence message")
    if message == "?":
        return PresenceAsk(process)
    generation, index, count, ids = message.split("|", 3)
    return PresenceChunk(process, int(generation), int(index), int(count), tuple(ids.split()))


@dataclass(frozen=True, slots=True)
class Erased:
    sender: str
    session_ids: tuple[int, ...]

    def encode(self) -> str:
        return f"{self.sender}|{','.join(str(i) for i in self.session_ids)}"

    @classmethod
    def decode(cls, payload: str) -> Erased:
        sender, _, ids = payload.partition("|")
        return cls(sender, tuple(int(i) for i in ids.split(",") if i))
