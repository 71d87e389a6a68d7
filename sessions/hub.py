"""The hub: this process's websocket connections, and fan-out of committed events to them.

Events arrive encoded (once per audience, by the engine); the hub picks the right bytes for
each connection and puts them on that connection's bounded queue. A sender task per
connection sends whatever is queued as one frame. A connection whose queue is full is closed:
it resumes from its last seq, and never slows the others down.

Fan-out is paced: the events committed for a session within FAN_OUT_INTERVAL go out together,
joined once and queued as one item for every connection that sees them as everyone does (the
authors of private or anonymous events get theirs one by one). Writing a frame to a socket is
the largest cost of a busy session, so under load this bounds the frames per connection
(≤ 1 / FAN_OUT_INTERVAL a second) instead of sending one per commit; when the session is quiet
an event goes out at once. Acks and errors wait behind the events still to go out, so a sender
still gets a command's events before its ack.

The hub also keeps **presence**: who has at least one open websocket to a session, on any
process. It is ephemeral (never logged, no seq) and costs work per connect and disconnect,
never per event:
- each process counts its own connections per participant (`add`, `remove`);
- a change is flushed at most every PRESENCE_THROTTLE seconds per session: the process
  publishes its whole local set on the bus (only if it changed) and sends every welcomed
  connection of the session what changed for it since its last presence frame (`joined`,
  `left`); only the first frame after the welcome holds the whole list. So each change reaches
  a connection once: what a watcher receives grows with the joins, not with their square;
- a process that starts listening to a session asks the others (`?`) to announce their sets;
- every process re-announces its sets every `presence_interval` seconds and forgets another
  process's set after `presence_expiry` seconds without news, so a killed process's
  participants drop out; a process that stops serving a session announces an empty set.
Announcements carry a generation number per process (newer wins: publishes may overtake each
other) and are split into chunks that fit a NOTIFY payload.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import msgspec
from starlette.websockets import WebSocket

from server.bus import Bus, Subscription
from sessions import bus_messages as msg
from sessions.commands import Signal
from sessions.engine import Delivery, SessionEngine
from sessions.flood import CLOSE_FLOODING, COMMANDS_PER_SECOND, CommandLimits

log = logging.getLogger("werkplaats.sessions")

# Items waiting for one connection before it counts as too slow. Items are shared bytes, so a
# long queue costs little memory; it must hold a resume's missed events (RESUME_LIMIT) and more.
QUEUE_LIMIT = 10_000
MAX_EVENTS_PER_FRAME = 500
FAN_OUT_INTERVAL = 0.01  # seconds between two fan-outs of one session (adds at most this latency)
CLOSE_TOO_SLOW = 4008
CLOSE_REMOVED = 4005
CLOSE_RELOAD = 4010  # the log was rewritten (an erasure): reconnect with last_seq 0
CLOSE_SHUTDOWN = 1012  # service restart, as uvicorn closes them on SIGTERM: resume
_EVENTS_OPEN = b'{"type":"events","events":['
_EVENTS_CLOSE = b"]}"
# At most this often (seconds) a session's presence is flushed by one process: a burst of 200
# joins makes a handful of frames, not 200.
PRESENCE_THROTTLE = 0.5
# Every flush sends a frame to every connection: large sessions flush less often, so a burst of
# joins makes fewer, larger frames (1,000 connections here wait 2 s between flushes).
PRESENCE_THROTTLE_PER_CONNECTION = 0.002
PRESENCE_INTERVAL = 30.0  # re-announce this process's sets this often (seconds) ...
PRESENCE_EXPIRY_INTERVALS = 3  # ... and forget another's after this many intervals unheard
_PRESENCE_CHUNK = 7_000  # bytes of participant ids per announcement (below MAX_PAYLOAD_BYTES)
CATCH_UP_FIRST_RETRY = 0.1  # seconds before catching up again after the database failed ...
CATCH_UP_LAST_RETRY = 5.0  # ... doubling up to this


@dataclass(eq=False)
class Connection:
    """One websocket of one participant."""

    websocket: WebSocket
    participant: str
    last_seq: int = 0  # the newest seq this connection has been given
    ready: bool = False  # until the catch-up is sent, live events wait in `backlog`
    backlog: list[Delivery] = field(default_factory=list)
    # (number of events, bytes): events joined by commas, or 0 and a whole frame (ack, error…)
    queue: asyncio.Queue[tuple[int, bytes]] = field(
        default_factory=lambda: asyncio.Queue(QUEUE_LIMIT)
    )
    closed: bool = False
    # Who its presence frames have said is online (shared with the connections told the same);
    # None: not welcomed yet.
    presence: frozenset[str] | None = None
    delivered: int = 0  # events queued for sending, ever (for /metrics)

    def offer(self, delivery: Delivery) -> bool:
        """Queue an event for this connection; False when it cannot keep up."""
        if delivery.seq <= self.last_seq:
            return True
        if not self.ready:
            self.backlog.append(delivery)
            return len(self.backlog) < QUEUE_LIMIT
        self.last_seq = delivery.seq
        mine = (
            delivery.author is not None and delivery.author == self.participant
        ) or self.participant in delivery.readers
        data = delivery.for_author if mine and delivery.for_author is not None else delivery.others
        return self.put(1, data)

    def put(self, events: int, data: bytes) -> bool:
        """Queue `events` events joined by commas, or (0) a whole frame; False when full."""
        try:
            self.queue.put_nowait((events, data))
        except asyncio.QueueFull:
            return False
        self.delivered += events
        return True

    def open_for_live(self) -> bool:
        """Send what waited during the catch-up, then take live events directly."""
        self.ready = True
        waiting, self.backlog = self.backlog, []
        return all(self.offer(delivery) for delivery in waiting)

    async def send_forever(self) -> None:
        """Send queued items; consecutive events go out together in one frame."""
        pending: tuple[int, bytes] | None = None
        while True:
            events, data = pending if pending is not None else await self.queue.get()
            pending = None
            if not events:
                await self.websocket.send_text(data.decode())
                continue
            parts = [data]
            while not self.queue.empty():
                item = self.queue.get_nowait()
                if not item[0] or events + item[0] > MAX_EVENTS_PER_FRAME:
                    pending = item
                    break
                events += item[0]
                parts.append(item[1])
            frame = _EVENTS_OPEN + b",".join(parts) + _EVENTS_CLOSE
            await self.websocket.send_text(frame.decode())


@dataclass(eq=False)
class _Outgoing:
    """A session's events (and the acks behind them) waiting for the next fan-out."""

    deliveries: list[Delivery] = field(default_factory=list)
    replies: list[tuple[Connection, bytes]] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None
    last: float = -math.inf  # when the last fan-out ran, on the loop's clock


def _joined(deliveries: list[Delivery]) -> list[tuple[int, bytes]]:
    """The events as everyone sees them, joined by commas, at most a frame's worth per item."""
    return [
        (len(part), b",".join(d.others for d in part))
        for part in (
            deliveries[i : i + MAX_EVENTS_PER_FRAME]
            for i in range(0, len(deliveries), MAX_EVENTS_PER_FRAME)
        )
    ]


@dataclass(eq=False)
class _Presence:
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

    def online(self) -> list[str]:
        everyone = set(self.local)
        for participants, _heard in self.remote.values():
            everyone |= participants
        return sorted(everyone)


class Hub:
    """Connections per session, fed by the local engine and by notices from other processes."""

    def __init__(
        self,
        engine: SessionEngine,
        bus: Bus,
        presence_interval: float = PRESENCE_INTERVAL,
        presence_throttle: float = PRESENCE_THROTTLE,
        presence_throttle_per_connection: float = PRESENCE_THROTTLE_PER_CONNECTION,
        commands_per_second: float = COMMANDS_PER_SECOND,
    ) -> None:
        self.engine = engine
        self.bus = bus
        self.process = f"{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.connections: dict[int, set[Connection]] = {}
        self._listeners: dict[int, asyncio.Task[None]] = {}
        self.presence_interval = presence_interval
        self.presence_expiry = PRESENCE_EXPIRY_INTERVALS * presence_interval
        self.presence_throttle = presence_throttle
        self.presence_throttle_per_connection = presence_throttle_per_connection
        self._presence: dict[int, _Presence] = {}
        self._outgoing: dict[int, _Outgoing] = {}
        self._generation = 0  # of this process's presence announcements
        self._presence_keeper: asyncio.Task[None] | None = None
        self._publishing: set[asyncio.Task[None]] = set()
        # For /metrics (sessions/metrics.py reads them when scraped; no work per event here).
        self.delivered_by_closed = 0  # events queued to connections that are gone since
        self.slow_clients_dropped = 0
        self.flooding_clients_closed = 0
        self.commands_rate_limited = 0
        # Each participant's command budget, shared by their connections here (flood.py).
        self.commands = CommandLimits(commands_per_second)
        engine.deliver = self.deliver
        engine.notify = self.notify

    def deliver(self, session_id: int, deliveries: Sequence[Delivery]) -> None:
        """Committed events of a session, in seq order: they go out at the next fan-out."""
        if session_id not in self.connections:
            return
        outgoing = self._outgoing.get(session_id)
        if outgoing is None:
            outgoing = self._outgoing[session_id] = _Outgoing()
        outgoing.deliveries.extend(deliveries)
        self._schedule_fan_out(session_id, outgoing)

    def reply(self, session_id: int, connection: Connection, frame: bytes) -> None:
        """Send an ack or an error to one connection (closing it if it cannot keep up), after
        the events still waiting to go out, which may include the command's own."""
        outgoing = self._outgoing.get(session_id)
        if outgoing is not None and outgoing.deliveries:
            outgoing.replies.append((connection, frame))
        elif not connection.closed and not connection.put(0, frame):
            self._too_slow(session_id, connection)

    def _schedule_fan_out(self, session_id: int, outgoing: _Outgoing) -> None:
        if outgoing.timer is not None:
            return
        loop = asyncio.get_running_loop()
        wait = max(0.0, outgoing.last + FAN_OUT_INTERVAL - loop.time())
        outgoing.timer = loop.call_later(wait, self._fan_out, session_id)

    def _fan_out(self, session_id: int) -> None:
        outgoing = self._outgoing.get(session_id)
        if outgoing is None:
            return
        deliveries, replies = outgoing.deliveries, outgoing.replies
        outgoing.deliveries, outgoing.replies = [], []
        outgoing.timer = None
        outgoing.last = asyncio.get_running_loop().time()
        connections = self.connections.get(session_id)
        if connections is None:
            del self._outgoing[session_id]
            return
        if deliveries:
            self._offer_all(session_id, list(connections), deliveries)
        for connection, frame in replies:
            if not connection.closed and not connection.put(0, frame):
                self._too_slow(session_id, connection)

    def _offer_all(
        self, session_id: int, connections: list[Connection], deliveries: list[Delivery]
    ) -> None:
        # Who must get something else than the shared bytes: the authors of events others see
        # differently, and whoever is removed (their connection closes after that event).
        special = {d.author for d in deliveries if d.for_author is not None}
        for delivery in deliveries:
            special.update(delivery.readers)
        special.update(d.removes for d in deliveries if d.removes is not None)
        first, last = deliveries[0].seq, deliveries[-1].seq
        shared: list[tuple[int, bytes]] | None = None
        for connection in connections:
            if connection.closed:
                continue
            if (
                connection.ready
                and connection.last_seq == first - 1
                and connection.participant not in special
            ):
                if shared is None:
                    shared = _joined(deliveries)
                connection.last_seq = last
                if not all(connection.put(n, data) for n, data in shared):
                    self._too_slow(session_id, connection)
                continue
            for delivery in deliveries:  # one by one: resuming, an author, or removed
                if not connection.offer(delivery):
                    self._too_slow(session_id, connection)
                    break
                if delivery.removes == connection.participant:
                    self._close(session_id, connection, CLOSE_REMOVED, "removed from the session")
                    break

    def notify(self, session_id: int, first: int, last: int) -> None:
        """Tell the other processes that events were appended (they fetch the rows)."""
        payload = msg.Appended(self.process, first, last).encode()
        task = asyncio.get_running_loop().create_task(self._publish(session_id, payload))
        task.add_done_callback(_log_failure)

    async def _publish(self, session_id: int, payload: str) -> None:
        await self.bus.publish(msg.appends_channel(session_id), payload)

    def signal(self, session_id: int, sender: str, signal: Signal) -> None:
        """Pass an ephemeral signal (typing, dragging) to everyone else; it is never logged."""
        payload = _encode_signal(
            {
                "type": "signal",
                "from": sender,
                "kind": signal.kind,
                "ref": signal.ref,
                "x": signal.x,
                "y": signal.y,
            }
        )
        self._signal_local(session_id, sender, payload)
        task = asyncio.get_running_loop().create_task(
            self.bus.publish(
                msg.signals_channel(session_id),
                msg.Signalled(self.process, sender, payload.decode()).encode(),
            )
        )
        task.add_done_callback(_log_failure)

    def _signal_local(self, session_id: int, sender: str, payload: bytes) -> None:
        for connection in list(self.connections.get(session_id, ())):
            if connection.participant != sender and connection.ready and not connection.closed:
                connection.put(0, payload)  # a lost signal is harmless: the next one follows

    def add(self, session_id: int, connection: Connection) -> None:
        """A connection whose hello was accepted: it counts as present from now on."""
        self.connections.setdefault(session_id, set()).add(connection)
        presence = self._presence.setdefault(session_id, _Presence())
        count = presence.local.get(connection.participant, 0)
        presence.local[connection.participant] = count + 1
        if count == 0:
            self._presence_changed(session_id)
        if session_id not in self._listeners:
            self._listeners[session_id] = asyncio.get_running_loop().create_task(
                self._listen(session_id), name=f"listen-{session_id}"
            )
        if self._presence_keeper is None:
            self._presence_keeper = asyncio.get_running_loop().create_task(
                self._keep_presence(), name="presence-keeper"
            )

    def remove(self, session_id: int, connection: Connection) -> None:
        connection.closed = True
        connections = self.connections.get(session_id)
        if connections is None or connection not in connections:
            return
        connections.discard(connection)
        self.delivered_by_closed += connection.delivered
        presence = self._presence[session_id]
        count = presence.local.pop(connection.participant) - 1
        if count > 0:
            presence.local[connection.participant] = count
        else:
            self._presence_changed(session_id)
        if not connections:
            del self.connections[session_id]
            outgoing = self._outgoing.pop(session_id, None)
            if outgoing is not None and outgoing.timer is not None:
                outgoing.timer.cancel()
            listener = self._listeners.pop(session_id, None)
            if listener is not None:
                listener.cancel()
            # Nobody here any more: stop following the session, and tell the others at once
            # rather than letting them wait for our set to expire.
            del self._presence[session_id]
            if presence.timer is not None:
                presence.timer.cancel()
            if presence.announced:
                self._announce(session_id, frozenset())

    # Presence --------------------------------------------------------------------------------

    def greet(self, session_id: int, connection: Connection) -> None:
        """Send a connection, right after its welcome, who is online now (itself included)."""
        presence = self._presence.get(session_id)
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
            self._too_slow(session_id, connection)

    def _presence_changed(self, session_id: int, reannounce: bool = False) -> None:
        """Flush soon: now if the last flush is long enough ago, else when it is."""
        presence = self._presence.get(session_id)
        if presence is None:
            return
        presence.reannounce = presence.reannounce or reannounce
        if presence.timer is not None:
            return  # a flush is already due; it will see this change too
        loop = asyncio.get_running_loop()
        local = len(self.connections.get(session_id, ()))
        throttle = max(self.presence_throttle, local * self.presence_throttle_per_connection)
        when = max(loop.time(), presence.last_flush + throttle)
        presence.timer = loop.call_at(when, self._flush_presence, session_id)

    def _flush_presence(self, session_id: int) -> None:
        presence = self._presence.get(session_id)
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
        for connection in list(self.connections.get(session_id, ())):
            told = connection.presence
            if told is None or told is online:
                continue  # not welcomed yet (it gets the list then), or up to date
            known = changes.get(id(told))
            if known is None:  # (keeps `told` alive, so its id stays its own)
                known = changes[id(told)] = (told, _presence_change(told, online))
            connection.presence = online
            if known[1] is not None:
                self.reply(session_id, connection, known[1])

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
            self._publish_presence(session_id, chunk_message.encode())

    def _publish_presence(self, session_id: int, payload: str) -> None:
        task = asyncio.get_running_loop().create_task(
            self.bus.publish(msg.presence_channel(session_id), payload)
        )
        self._publishing.add(task)
        task.add_done_callback(self._publishing.discard)
        task.add_done_callback(_log_failure)

    async def _follow_presence(self, session_id: int, announcements: Subscription) -> None:
        # Listening now: ask the other processes who is connected to them.
        ask = msg.PresenceAsk(self.process).encode()
        self._publish_presence(session_id, ask)
        async for payload in announcements:
            if payload is None:  # announcements may have been lost: ask again, tell ours
                self._publish_presence(session_id, ask)
                self._presence_changed(session_id, reannounce=True)
                continue
            try:
                message = msg.decode_presence(payload)
            except ValueError:
                log.warning("ignoring a malformed presence announcement: %.80r", payload)
                continue
            if message.process == self.process:
                continue
            if isinstance(message, msg.PresenceAsk):
                self._presence_changed(session_id, reannounce=True)
            else:
                self._heard(session_id, message)

    def _heard(self, session_id: int, chunk: msg.PresenceChunk) -> None:
        """One chunk of another process's set; once all chunks are in, it replaces the last."""
        presence = self._presence.get(session_id)
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
            self._presence_changed(session_id)

    async def _keep_presence(self) -> None:
        """Re-announce our sets now and then, and forget the sets of processes gone quiet."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.presence_interval)
            now = loop.time()
            for session_id, presence in list(self._presence.items()):
                for process, (_participants, heard) in list(presence.remote.items()):
                    if now - heard > self.presence_expiry:
                        log.info(
                            "presence of process %s in session %s expired", process, session_id
                        )
                        del presence.remote[process]
                        presence.chunks.pop(process, None)
                self._presence_changed(session_id, reannounce=True)

    # Other processes -------------------------------------------------------------------------

    async def _listen(self, session_id: int) -> None:
        """Catch up whenever another process appended to this session (or a notice was lost),
        pass on the signals of people connected to other processes, and follow their presence."""
        try:
            async with (
                self.bus.subscribe(msg.appends_channel(session_id)) as appends,
                self.bus.subscribe(msg.signals_channel(session_id)) as signals,
                self.bus.subscribe(msg.presence_channel(session_id)) as announcements,
            ):
                await asyncio.gather(
                    self._follow_appends(session_id, appends),
                    self._follow_signals(session_id, signals),
                    self._follow_presence(session_id, announcements),
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("listening for session %s failed", session_id)

    async def _follow_appends(self, session_id: int, appends: Subscription) -> None:
        async for payload in appends:
            if payload is not None and payload.startswith(self.process + ":"):
                continue  # our own append (msg.Appended): already delivered
            await self._catch_up(session_id)

    async def _catch_up(self, session_id: int) -> None:
        """Read what others appended; while the database is away (a PostgreSQL restart), try
        again rather than stop following the session, whose clients would then miss events."""
        delay = CATCH_UP_FIRST_RETRY
        while True:
            try:
                await self.engine.catch_up(session_id)
                return
            except Exception as error:
                log.warning(
                    "catching up session %s failed (%s); retrying in %.1f s",
                    session_id,
                    type(error).__name__,
                    delay,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, CATCH_UP_LAST_RETRY)

    async def _follow_signals(self, session_id: int, signals: Subscription) -> None:
        async for payload in signals:
            if payload is None or payload.startswith(self.process + "|"):
                continue  # lost ones are harmless; our own went out locally
            try:
                signal = msg.Signalled.decode(payload)
            except ValueError:
                log.warning("ignoring a malformed signal: %.80r", payload)
                continue
            self._signal_local(session_id, signal.sender, signal.frame.encode())

    def reload(self, session_id: int) -> None:
        """Close this process's connections of a session whose log was rewritten (a name
        erased), so that every client fetches a fresh state instead of keeping the old one."""
        for connection in list(self.connections.get(session_id, ())):
            self._close(session_id, connection, CLOSE_RELOAD, "reload: the session changed")

    def _too_slow(self, session_id: int, connection: Connection) -> None:
        log.info("closing a connection that cannot keep up (session %s)", session_id)
        if not connection.closed:
            self.slow_clients_dropped += 1
        self._close(session_id, connection, CLOSE_TOO_SLOW, "too slow; reconnect and resume")

    def close_flooding(self, session_id: int, connection: Connection) -> None:
        """Close a connection that sends signals far beyond its budget (sessions/flood.py)."""
        log.info("closing a connection that floods session %s with signals", session_id)
        if not connection.closed:
            self.flooding_clients_closed += 1
        self._close(session_id, connection, CLOSE_FLOODING, "too many signals")

    def _close(self, session_id: int, connection: Connection, code: int, reason: str) -> None:
        self.remove(session_id, connection)
        task = asyncio.get_running_loop().create_task(connection.websocket.close(code, reason))
        task.add_done_callback(_log_failure)

    def events_delivered(self) -> int:
        """Events queued to connections for sending, one per connection, since the start."""
        live = sum(c.delivered for cs in self.connections.values() for c in cs)
        return self.delivered_by_closed + live

    async def close_all(self) -> None:
        for outgoing in self._outgoing.values():
            if outgoing.timer is not None:
                outgoing.timer.cancel()
        if self._presence_keeper is not None:
            self._presence_keeper.cancel()
        for task in self._listeners.values():
            task.cancel()
        for session_id, connections in list(self.connections.items()):
            for connection in list(connections):
                self.remove(session_id, connection)  # the last one announces an empty set
                with contextlib.suppress(Exception):
                    await connection.websocket.close(CLOSE_SHUTDOWN, "server restarting; reconnect")
        if self._publishing:  # let the other processes hear that our people left
            await asyncio.wait(set(self._publishing), timeout=2)


def _presence_frame(online: list[str]) -> bytes:
    return _encode_signal({"type": "presence", "online": online})


def _presence_change(told: frozenset[str], online: frozenset[str]) -> bytes | None:
    """What changed since a connection was told `told`; None: nothing."""
    joined, left = sorted(online - told), sorted(told - online)
    if not joined and not left:
        return None
    return _encode_signal({"type": "presence", "joined": joined, "left": left})


_encode_signal = msgspec.json.Encoder().encode


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("background send failed: %s", task.exception())
