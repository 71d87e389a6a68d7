"""Presence: who has at least one open websocket to a session, on any process.

It sits beside the fan-out (sessions/fanout.py), which tells it of every connection added and
removed (wired in sessions/runtime.py); it sends its frames through the fan-out. Presence is
ephemeral (never logged, no seq) and costs work per connect and disconnect, never per event:
- each process counts its own connections per participant (`add`, `remove`);
- a change is flushed at most every PRESENCE_THROTTLE seconds per session: the process
  publishes its whole local set on the bus (only if it changed) and sends every welcomed
  connection of the session what changed for it since its last presence frame (`joined`,
  `left`); only the first frame after the welcome holds the whole list. So each change reaches
  a connection once: what a watcher receives grows with the joins, not with their square;
- a process that starts listening to a session asks the others (`?`) to announce their sets;
- every process re-announces its sets every `interval` seconds and forgets another process's
  set after `expiry` seconds without news, so a killed process's participants drop out; a
  process that stops serving a session announces an empty set.
Announcements (sessions/bus_messages.py) carry a generation number per process (newer wins:
publishes may overtake each other) and are split into chunks that fit a NOTIFY payload.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass, field

import msgspec

from server.bus import Bus, Subscription
from sessions import bus_messages as msg
from sessions.fanout import Connection, FanOut, log_failure

log = logging.getLogger("werkplaats.sessions")

# At most this often (seconds) a session's presence is flushed by one process: a burst of 200
# joins makes a handful of frames, not 200.
PRESENCE_THROTTLE = 0.5
# Every flush sends a frame to every connection: large sessions flush less often, so a burst of
# joins makes fewer, larger frames (1,000 connections here wait 2 s between flushes).
PRESENCE_THROTTLE_PER_CONNECTION = 0.002
PRESENCE_INTERVAL = 30.0  # re-announce this process's sets this often (seconds) ...
PRESENCE_EXPIRY_INTERVALS = 3  # ... and forget another's after this many intervals unheard
_PRESENCE_CHUNK = 7_000  # bytes of participant ids per announcement (below MAX_PAYLOAD_BYTES)


@dataclass(eq=False)
class _SessionPresence:
    """Who is connected to one session: here, and as the other processes last announced."""

    local: dict[str, int] = field(default_factory=dict)  # participant -> connections here
    remote: dict[str, tuple[frozenset[str], float]] = field(
        default_factory=dict
    )  # process -> (its participants, when heard on the loop's clock)
    generations: dict[str, int] = field(default_factory=dict)  # process -> newest one applied
    chunks: dict[str, tuple[int, int, dict[int, list[str]]]] = field(
        default_factory=dict
    )  # process -> (generation, chunk count, chunks so far) of an announcement coming in
    announced: frozenset[str] | None = None  # the local set last published on the bus
    reannounce: bool = False  # publish the local set at the next flush, changed or not
    online_now: frozenset[str] = frozenset()  # who was online at the last flush or greeting
    whole: bytes | None = None  # the frame listing `online_now` whole, once made
    timer: asyncio.TimerHandle | None = None
    last_flush: float = -math.inf
    listener: asyncio.Task[None] | None = None  # following the other processes' announcements

    def online(self) -> list[str]:
        everyone = set(self.local)
        for participants, _heard in self.remote.values():
            everyone |= participants
        return sorted(everyone)


class Presence:
    """Who is online per session, counted here and heard from the other processes."""

    def __init__(
        self,
        fanout: FanOut,
        bus: Bus,
        interval: float = PRESENCE_INTERVAL,
        throttle: float = PRESENCE_THROTTLE,
        throttle_per_connection: float = PRESENCE_THROTTLE_PER_CONNECTION,
    ) -> None:
        self.fanout = fanout  # the connections, and the way frames reach them
        self.bus = bus
        self.process = fanout.process
        self.interval = interval
        self.expiry = PRESENCE_EXPIRY_INTERVALS * interval
        self.throttle = throttle
        self.throttle_per_connection = throttle_per_connection
        self._sessions: dict[int, _SessionPresence] = {}
        self._generation = 0  # of this process's announcements
        self._keeper: asyncio.Task[None] | None = None
        self._publishing: set[asyncio.Task[None]] = set()

    def add(self, session_id: int, connection: Connection) -> None:
        """A connection whose hello was accepted: its participant counts as present from now."""
        presence = self._sessions.get(session_id)
        if presence is None:
            presence = self._sessions[session_id] = _SessionPresence()
        count = presence.local.get(connection.participant, 0)
        presence.local[connection.participant] = count + 1
        if count == 0:
            self._changed(session_id)
        if presence.listener is None:
            presence.listener = asyncio.get_running_loop().create_task(
                self._listen(session_id), name=f"presence-{session_id}"
            )
        if self._keeper is None:
            self._keeper = asyncio.get_running_loop().create_task(
                self._keep(), name="presence-keeper"
            )

    def remove(self, session_id: int, connection: Connection) -> None:
        """A connection that closed; the last one of a session stops following it here."""
        presence = self._sessions.get(session_id)
        if presence is None:
            return
        count = presence.local.pop(connection.participant) - 1
        if count > 0:
            presence.local[connection.participant] = count
        else:
            self._changed(session_id)
        if presence.local:
            return
        # Nobody here any more: stop following the session, and tell the others at once
        # rather than letting them wait for our set to expire.
        del self._sessions[session_id]
        if presence.listener is not None:
            presence.listener.cancel()
        if presence.timer is not None:
            presence.timer.cancel()
        if presence.announced:
            self._announce(session_id, frozenset())

    def greet(self, session_id: int, connection: Connection) -> None:
        """Send a connection, right after its welcome, who is online now (itself included)."""
        presence = self._sessions.get(session_id)
        if presence is None or connection.closed:
            return
        online = frozenset(presence.online())
        if online != presence.online_now:
            presence.online_now, presence.whole = online, None
        if presence.whole is None:
            presence.whole = _presence_frame(sorted(presence.online_now))
        # The same set object as the others told the same: the next flush sees it is up to date.
        connection.presence = presence.online_now
        if not connection.put(0, presence.whole):  # at once, as the welcome was: before events
            self.fanout.too_slow(session_id, connection)

    def _changed(self, session_id: int, reannounce: bool = False) -> None:
        """Flush soon: now if the last flush is long enough ago, else when it is."""
        presence = self._sessions.get(session_id)
        if presence is None:
            return
        presence.reannounce = presence.reannounce or reannounce
        if presence.timer is not None:
            return  # a flush is already due; it will see this change too
        loop = asyncio.get_running_loop()
        local = len(self.fanout.connections.get(session_id, ()))
        throttle = max(self.throttle, local * self.throttle_per_connection)
        when = max(loop.time(), presence.last_flush + throttle)
        presence.timer = loop.call_at(when, self._flush, session_id)

    def _flush(self, session_id: int) -> None:
        presence = self._sessions.get(session_id)
        if presence is None:
            return
        presence.timer = None
        presence.last_flush = asyncio.get_running_loop().time()
        local = frozenset(presence.local)
        if presence.reannounce or local != presence.announced:
            presence.reannounce = False
            presence.announced = local
            self._announce(session_id, local)
        online = frozenset(presence.online())
        if online != presence.online_now:
            presence.online_now, presence.whole = online, None
        online = presence.online_now  # unchanged: the object most connections already hold
        # Connections told the same before share one set object, so one change frame each.
        changes: dict[int, tuple[frozenset[str], bytes | None]] = {}
        for connection in list(self.fanout.connections.get(session_id, ())):
            told = connection.presence
            if told is None or told is online:
                continue  # not welcomed yet (it gets the list then), or up to date
            known = changes.get(id(told))
            if known is None:  # (keeps `told` alive, so its id stays its own)
                known = changes[id(told)] = (told, _presence_change(told, online))
            connection.presence = online
            if known[1] is not None:
                self.fanout.reply(session_id, connection, known[1])

    def _announce(self, session_id: int, participants: frozenset[str]) -> None:
        """Publish this process's set for the session, in chunks that fit a bus payload."""
        self._generation += 1
        chunks: list[list[str]] = [[]]
        size = 0
        for participant in sorted(participants):
            if size + len(participant) + 1 > _PRESENCE_CHUNK:
                chunks.append([])
                size = 0
            chunks[-1].append(participant)
            size += len(participant) + 1
        for index, chunk in enumerate(chunks):
            chunk_message = msg.PresenceChunk(
                self.process, self._generation, index, len(chunks), tuple(chunk)
            )
            self._publish(session_id, chunk_message.encode())

    def _publish(self, session_id: int, payload: str) -> None:
        task = asyncio.get_running_loop().create_task(
            self.bus.publish(msg.presence_channel(session_id), payload)
        )
        self._publishing.add(task)
        task.add_done_callback(self._publishing.discard)
        task.add_done_callback(log_failure)

    async def _listen(self, session_id: int) -> None:
        """Follow the other processes' announcements for a session while anyone is here."""
        try:
            async with self.bus.subscribe(msg.presence_channel(session_id)) as announcements:
                await self._follow(session_id, announcements)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("listening for presence in session %s failed", session_id)

    async def _follow(self, session_id: int, announcements: Subscription) -> None:
        # Listening now: ask the other processes who is connected to them.
        ask = msg.PresenceAsk(self.process).encode()
        self._publish(session_id, ask)
        async for payload in announcements:
            if payload is None:  # announcements may have been lost: ask again, tell ours
                self._publish(session_id, ask)
                self._changed(session_id, reannounce=True)
                continue
            try:
                message = msg.decode_presence(payload)
            except ValueError:
                log.warning("ignoring a malformed presence announcement: %.80r", payload)
                continue
            if message.process == self.process:
                continue
            if isinstance(message, msg.PresenceAsk):
                self._changed(session_id, reannounce=True)
            else:
                self._heard(session_id, message)

    def _heard(self, session_id: int, chunk: msg.PresenceChunk) -> None:
        """One chunk of another process's set; once all chunks are in, it replaces the last."""
        presence = self._sessions.get(session_id)
        if presence is None:
            return
        process, generation, index, count = (
            chunk.process,
            chunk.generation,
            chunk.index,
            chunk.count,
        )
        if generation <= presence.generations.get(process, 0):
            return  # older than what we have: it was overtaken
        pending = presence.chunks.get(process)
        if pending is None or pending[0] < generation:
            pending = presence.chunks[process] = (generation, count, {})
        elif pending[0] > generation:
            return
        pending[2][index] = list(chunk.participants)
        if len(pending[2]) < pending[1]:
            return
        del presence.chunks[process]
        presence.generations[process] = generation
        participants = frozenset(p for chunk in pending[2].values() for p in chunk)
        before = presence.remote.pop(process, (frozenset(), 0.0))[0]
        if participants:
            presence.remote[process] = (participants, asyncio.get_running_loop().time())
        if participants != before:
            self._changed(session_id)

    async def _keep(self) -> None:
        """Re-announce our sets now and then, and forget the sets of processes gone quiet."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.interval)
            now = loop.time()
            for session_id, presence in list(self._sessions.items()):
                for process, (_participants, heard) in list(presence.remote.items()):
                    if now - heard > self.expiry:
                        log.info(
                            "presence of process %s in session %s expired", process, session_id
                        )
                        del presence.remote[process]
                        presence.chunks.pop(process, None)
                self._changed(session_id, reannounce=True)

    def stop(self) -> None:
        """Stop re-announcing and listening (the connections' removal still announces)."""
        if self._keeper is not None:
            self._keeper.cancel()
        for presence in self._sessions.values():
            if presence.listener is not None:
                presence.listener.cancel()

    async def published(self) -> None:
        """Wait (a little) until the announcements on their way are on the bus."""
        if self._publishing:  # let the other processes hear that our people left
            await asyncio.wait(set(self._publishing), timeout=2)


def _presence_frame(online: list[str]) -> bytes:
    return _encode_frame({"type": "presence", "online": online})


def _presence_change(told: frozenset[str], online: frozenset[str]) -> bytes | None:
    """What changed since a connection was told `told`; None: nothing."""
    joined, left = sorted(online - told), sorted(told - online)
    if not joined and not left:
        return None
    return _encode_frame({"type": "presence", "joined": joined, "left": left})


_encode_frame = msgspec.json.Encoder().encode
