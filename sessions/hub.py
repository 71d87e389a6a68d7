"""The hub: this process's websocket connections, and fan-out of committed events to them.

Events arrive encoded (once per audience, by the engine); the hub picks the right bytes for
each connection and puts them on that connection's bounded queue. A sender task per
connection sends whatever is queued as one frame. A connection whose queue is full is closed:
it resumes from its last seq, and never slows the others down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import msgspec
from starlette.websockets import WebSocket

from server.bus import Bus, Subscription
from sessions.commands import Signal
from sessions.engine import Delivery, SessionEngine

log = logging.getLogger("werkplaats.sessions")

# Items waiting for one connection before it counts as too slow. Items are shared bytes, so a
# long queue costs little memory; it must hold a resume's missed events (RESUME_LIMIT) and more.
QUEUE_LIMIT = 10_000
MAX_EVENTS_PER_FRAME = 500
CLOSE_TOO_SLOW = 4008
CLOSE_REMOVED = 4005
_EVENTS_OPEN = b'{"type":"events","events":['
_EVENTS_CLOSE = b"]}"


@dataclass(eq=False)
class Connection:
    """One websocket of one participant."""

    websocket: WebSocket
    participant: str
    last_seq: int = 0  # the newest seq this connection has been given
    ready: bool = False  # until the catch-up is sent, live events wait in `backlog`
    backlog: list[Delivery] = field(default_factory=list)
    queue: asyncio.Queue[tuple[bool, bytes]] = field(
        default_factory=lambda: asyncio.Queue(QUEUE_LIMIT)
    )
    closed: bool = False

    def offer(self, delivery: Delivery) -> bool:
        """Queue an event for this connection; False when it cannot keep up."""
        if delivery.seq <= self.last_seq:
            return True
        if not self.ready:
            self.backlog.append(delivery)
            return len(self.backlog) < QUEUE_LIMIT
        self.last_seq = delivery.seq
        mine = delivery.author is not None and delivery.author == self.participant
        data = delivery.for_author if mine and delivery.for_author is not None else delivery.others
        return self.put(True, data)

    def put(self, is_event: bool, data: bytes) -> bool:
        try:
            self.queue.put_nowait((is_event, data))
        except asyncio.QueueFull:
            return False
        return True

    def open_for_live(self) -> bool:
        """Send what waited during the catch-up, then take live events directly."""
        self.ready = True
        waiting, self.backlog = self.backlog, []
        return all(self.offer(delivery) for delivery in waiting)

    async def send_forever(self) -> None:
        """Send queued items; consecutive events go out together in one frame."""
        pending: tuple[bool, bytes] | None = None
        while True:
            is_event, data = pending if pending is not None else await self.queue.get()
            pending = None
            if not is_event:
                await self.websocket.send_text(data.decode())
                continue
            parts = [data]
            while len(parts) < MAX_EVENTS_PER_FRAME and not self.queue.empty():
                item = self.queue.get_nowait()
                if not item[0]:
                    pending = item
                    break
                parts.append(item[1])
            frame = _EVENTS_OPEN + b",".join(parts) + _EVENTS_CLOSE
            await self.websocket.send_text(frame.decode())


class Hub:
    """Connections per session, fed by the local engine and by notices from other processes."""

    def __init__(self, engine: SessionEngine, bus: Bus) -> None:
        self.engine = engine
        self.bus = bus
        self.process = f"{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.connections: dict[int, set[Connection]] = {}
        self._listeners: dict[int, asyncio.Task[None]] = {}
        engine.deliver = self.deliver
        engine.notify = self.notify

    def deliver(self, session_id: int, deliveries: Sequence[Delivery]) -> None:
        for connection in list(self.connections.get(session_id, ())):
            if connection.closed:
                continue
            for delivery in deliveries:
                if not connection.offer(delivery):
                    self._too_slow(session_id, connection)
                    break
                if delivery.removes == connection.participant:
                    self._close(session_id, connection, CLOSE_REMOVED, "removed from the session")
                    break

    def reply(self, session_id: int, connection: Connection, frame: bytes) -> None:
        """Send an ack or an error to one connection (closing it if it cannot keep up)."""
        if not connection.closed and not connection.put(False, frame):
            self._too_slow(session_id, connection)

    def notify(self, session_id: int, first: int, last: int) -> None:
        """Tell the other processes that events were appended (they fetch the rows)."""
        payload = f"{self.process}:{first}:{last}"
        task = asyncio.get_running_loop().create_task(self._publish(session_id, payload))
        task.add_done_callback(_log_failure)

    async def _publish(self, session_id: int, payload: str) -> None:
        await self.bus.publish(_channel(session_id), payload)

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
                _signal_channel(session_id), f"{self.process}|{sender}|{payload.decode()}"
            )
        )
        task.add_done_callback(_log_failure)

    def _signal_local(self, session_id: int, sender: str, payload: bytes) -> None:
        for connection in list(self.connections.get(session_id, ())):
            if connection.participant != sender and connection.ready and not connection.closed:
                connection.put(False, payload)  # a lost signal is harmless: the next one follows

    def add(self, session_id: int, connection: Connection) -> None:
        self.connections.setdefault(session_id, set()).add(connection)
        if session_id not in self._listeners:
            self._listeners[session_id] = asyncio.get_running_loop().create_task(
                self._listen(session_id), name=f"listen-{session_id}"
            )

    def remove(self, session_id: int, connection: Connection) -> None:
        connection.closed = True
        connections = self.connections.get(session_id)
        if connections is None:
            return
        connections.discard(connection)
        if not connections:
            del self.connections[session_id]
            listener = self._listeners.pop(session_id, None)
            if listener is not None:
                listener.cancel()

    async def _listen(self, session_id: int) -> None:
        """Catch up whenever another process appended to this session (or a notice was lost),
        and pass on the signals of people connected to other processes."""
        try:
            async with (
                self.bus.subscribe(_channel(session_id)) as appends,
                self.bus.subscribe(_signal_channel(session_id)) as signals,
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
                continue  # our own append: already delivered
            await self.engine.catch_up(session_id)

    async def _follow_signals(self, session_id: int, signals: Subscription) -> None:
        async for payload in signals:
            if payload is None or payload.startswith(self.process + "|"):
                continue
            _process, sender, body = payload.split("|", 2)
            self._signal_local(session_id, sender, body.encode())

    def _too_slow(self, session_id: int, connection: Connection) -> None:
        log.info("closing a connection that cannot keep up (session %s)", session_id)
        self._close(session_id, connection, CLOSE_TOO_SLOW, "too slow; reconnect and resume")

    def _close(self, session_id: int, connection: Connection, code: int, reason: str) -> None:
        self.remove(session_id, connection)
        task = asyncio.get_running_loop().create_task(connection.websocket.close(code, reason))
        task.add_done_callback(_log_failure)

    async def close_all(self) -> None:
        for task in self._listeners.values():
            task.cancel()
        for session_id, connections in list(self.connections.items()):
            for connection in list(connections):
                self.remove(session_id, connection)
                with contextlib.suppress(Exception):
                    await connection.websocket.close(1001, "server going away; reconnect")


def _channel(session_id: int) -> str:
    return f"session.{session_id}"


def _signal_channel(session_id: int) -> str:
    return f"signal.{session_id}"


_encode_signal = msgspec.json.Encoder().encode


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("background send failed: %s", task.exception())
