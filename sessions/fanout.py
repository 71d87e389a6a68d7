"""Fan-out: this process's websocket connections, and committed events sent on to them.

Events arrive encoded (once per audience, by the engine); the fan-out picks the right bytes for
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

It also follows the other processes serving a session: their appends (it catches up through
the engine) and their signals. Who is online is presence's job (sessions/presence.py), told of
every connection added and removed; sessions/runtime.py wires the engine, the fan-out and
presence together.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import uuid
from collections.abc import Callable, Sequence
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


Watch = Callable[[int, Connection], None]  # (session id, connection)


class FanOut:
    """Connections per session, fed by the local engine and by notices from other processes."""

    def __init__(
        self, engine: SessionEngine, bus: Bus, commands_per_second: float = COMMANDS_PER_SECOND
    ) -> None:
        self.engine = engine  # read from when another process appended (catch_up)
        self.bus = bus
        self.process = f"{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.connections: dict[int, set[Connection]] = {}
        self._listeners: dict[int, asyncio.Task[None]] = {}
        self._outgoing: dict[int, _Outgoing] = {}
        # Told of every connection added and removed (presence counts them): runtime.py wires it.
        self.added: Watch = lambda session_id, connection: None
        self.removed: Watch = lambda session_id, connection: None
        # For /metrics (sessions/metrics.py reads them when scraped; no work per event here).
        self.delivered_by_closed = 0  # events queued to connections that are gone since
        self.slow_clients_dropped = 0
        self.flooding_clients_closed = 0
        self.commands_rate_limited = 0
        # Each participant's command budget, shared by their connections here (flood.py).
        self.commands = CommandLimits(commands_per_second)

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
            self.too_slow(session_id, connection)

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
                self.too_slow(session_id, connection)

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
                    self.too_slow(session_id, connection)
                continue
            for delivery in deliveries:  # one by one: resuming, an author, or removed
                if not connection.offer(delivery):
                    self.too_slow(session_id, connection)
                    break
                if delivery.removes == connection.participant:
                    self._close(session_id, connection, CLOSE_REMOVED, "removed from the session")
                    break

    def notify(self, session_id: int, first: int, last: int) -> None:
        """Tell the other processes that events were appended (they fetch the rows)."""
        payload = msg.Appended(self.process, first, last).encode()
        task = asyncio.get_running_loop().create_task(self._publish(session_id, payload))
        task.add_done_callback(log_failure)

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
        task.add_done_callback(log_failure)

    def _signal_local(self, session_id: int, sender: str, payload: bytes) -> None:
        for connection in list(self.connections.get(session_id, ())):
            if connection.participant != sender and connection.ready and not connection.closed:
                connection.put(0, payload)  # a lost signal is harmless: the next one follows

    def add(self, session_id: int, connection: Connection) -> None:
        """A connection whose hello was accepted: it gets the session's events from now on."""
        self.connections.setdefault(session_id, set()).add(connection)
        self.added(session_id, connection)
        if session_id not in self._listeners:
            self._listeners[session_id] = asyncio.get_running_loop().create_task(
                self._listen(session_id), name=f"listen-{session_id}"
            )

    def remove(self, session_id: int, connection: Connection) -> None:
        connection.closed = True
        connections = self.connections.get(session_id)
        if connections is None or connection not in connections:
            return
        connections.discard(connection)
        self.delivered_by_closed += connection.delivered
        self.removed(session_id, connection)
        if not connections:  # nobody here any more: stop following the session
            del self.connections[session_id]
            outgoing = self._outgoing.pop(session_id, None)
            if outgoing is not None and outgoing.timer is not None:
                outgoing.timer.cancel()
            listener = self._listeners.pop(session_id, None)
            if listener is not None:
                listener.cancel()

    # Other processes -------------------------------------------------------------------------

    async def _listen(self, session_id: int) -> None:
        """Catch up whenever another process appended to this session (or a notice was lost),
        and pass on the signals of people connected to other processes."""
        try:
            async with (
                self.bus.subscribe(msg.appends_channel(session_id)) as appends,
                self.bus.subscribe(msg.signals_channel(session_id)) as signals,
            ):
                await asyncio.gather(
                    self._follow_appends(session_id, appends),
                    self._follow_signals(session_id, signals),
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

    def too_slow(self, session_id: int, connection: Connection) -> None:
        """Close a connection whose queue is full; it resumes from its last seq."""
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
        task.add_done_callback(log_failure)

    def events_delivered(self) -> int:
        """Events queued to connections for sending, one per connection, since the start."""
        live = sum(c.delivered for cs in self.connections.values() for c in cs)
        return self.delivered_by_closed + live

    async def close_all(self) -> None:
        """Close every connection (as at a restart: the clients resume elsewhere or later)."""
        for outgoing in self._outgoing.values():
            if outgoing.timer is not None:
                outgoing.timer.cancel()
        for task in self._listeners.values():
            task.cancel()
        for session_id, connections in list(self.connections.items()):
            for connection in list(connections):
                self.remove(session_id, connection)
                with contextlib.suppress(Exception):
                    await connection.websocket.close(CLOSE_SHUTDOWN, "server restarting; reconnect")


_encode_signal = msgspec.json.Encoder().encode


def log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("background send failed: %s", task.exception())
