"""What every bus shares: the interface, subscriptions with bounded queues, the limits."""

from __future__ import annotations

import asyncio
import logging
import re
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

logger = logging.getLogger("werkplaats.bus")

# NOTIFY refuses payloads of 8000 bytes or more; the margin keeps us clear of that edge.
MAX_PAYLOAD_BYTES = 7_900
# PostgreSQL identifiers are at most 63 bytes, and the PostgreSQL bus adds a 3-byte prefix.
MAX_CHANNEL_LENGTH = 60
QUEUE_SIZE = 10_000
_CHANNEL = re.compile(r"[A-Za-z0-9_:.\-]+")


class BusUnavailable(Exception):
    """The bus cannot reach its backend now (PostgreSQL stopping, restarting or unreachable);
    a publish that raises this was not sent. Readers catch up from the database afterwards."""


def check_channel(channel: str) -> None:
    """Refuse a channel name that PostgreSQL could not carry unchanged."""
    if not (len(channel) <= MAX_CHANNEL_LENGTH and _CHANNEL.fullmatch(channel)):
        raise ValueError(
            f"bus channel {channel!r} is not allowed; use 1 to {MAX_CHANNEL_LENGTH} "
            "characters from A-Z a-z 0-9 _ : . -"
        )


def check_payload(payload: str) -> None:
    """Refuse a payload that NOTIFY could not carry."""
    if "\x00" in payload:
        raise ValueError("bus payload contains a NUL character, which PostgreSQL cannot carry")
    size = len(payload.encode())
    if size > MAX_PAYLOAD_BYTES:
        raise ValueError(
            f"bus payload is {size} bytes; at most {MAX_PAYLOAD_BYTES} are allowed "
            "(publish an id and a seq range, and let readers fetch the data)"
        )


class Subscription:
    """The payloads published on one channel, in order; None where some may have been lost."""

    def __init__(self, channel: str, queue_size: int) -> None:
        self.channel = channel
        self._queue_size = queue_size
        self._items: deque[str | None] = deque()
        self._ready = asyncio.Event()
        self._closed = False

    def __aiter__(self) -> AsyncIterator[str | None]:
        return self

    async def __anext__(self) -> str | None:
        while not self._items:
            if self._closed:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        return self._items.popleft()

    def _put(self, payload: str) -> None:
        if self._closed:
            return
        if len(self._items) >= self._queue_size:
            # The reader fell behind. What it has queued is stale: it catches up from the
            # database on the None, so dropping the queue frees memory at once.
            logger.warning(
                "bus: a subscriber of %r fell %d messages behind; it must catch up",
                self.channel,
                len(self._items),
            )
            self._items.clear()
            self._items.append(None)
        self._items.append(payload)
        self._ready.set()

    def _gap(self) -> None:
        # One None already waiting at the end says all a second one would.
        if not self._closed and (not self._items or self._items[-1] is not None):
            self._items.append(None)
            self._ready.set()

    def _close(self) -> None:
        self._closed = True
        self._ready.set()


class Bus(ABC):
    """Publish/subscribe between the processes serving sessions; made by create_bus()."""

    def __init__(self, *, queue_size: int = QUEUE_SIZE) -> None:
        self._queue_size = queue_size
        self._subscriptions: dict[str, set[Subscription]] = {}
        # Held while the set of channels listened to changes, so LISTEN and UNLISTEN of one
        # channel never interleave and a second subscriber waits until the first is listening.
        self._changing = asyncio.Lock()
        self._connected = False
        self.reconnects = 0  # times a lost connection was made again (for /metrics)

    async def connect(self) -> None:
        """Connect; raises if the backend cannot be reached now."""
        if not self._connected:
            await self._connect()
            self._connected = True

    async def disconnect(self) -> None:
        """Close everything; every subscription's iteration ends."""
        if not self._connected:
            return
        self._connected = False
        try:
            await self._disconnect()
        finally:
            for subscriptions in self._subscriptions.values():
                for subscription in subscriptions:
                    subscription._close()
            self._subscriptions.clear()

    async def publish(self, channel: str, payload: str) -> None:
        """Send a payload to every subscriber of the channel, in every process."""
        check_channel(channel)
        check_payload(payload)
        self._check_connected()
        await self._publish(channel, payload)

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[Subscription]:
        """Receive what is published on the channel from now on, until the block ends."""
        check_channel(channel)
        return self._subscription(channel)

    @asynccontextmanager
    async def _subscription(self, channel: str) -> AsyncIterator[Subscription]:
        self._check_connected()
        subscription = Subscription(channel, self._queue_size)
        async with self._changing:
            if channel not in self._subscriptions:
                await self._listen(channel)
                self._subscriptions[channel] = set()
            self._subscriptions[channel].add(subscription)
        try:
            yield subscription
        finally:
            subscription._close()
            await self._leave(channel, subscription)

    async def _leave(self, channel: str, subscription: Subscription) -> None:
        async with self._changing:
            subscriptions = self._subscriptions.get(channel)
            if subscriptions is None or subscription not in subscriptions:
                return  # disconnect() already let everyone go
            subscriptions.discard(subscription)
            if not subscriptions:
                del self._subscriptions[channel]
                await self._unlisten(channel)

    def _check_connected(self) -> None:
        if not self._connected:
            raise RuntimeError("the bus is not connected; call connect() first")

    def _deliver(self, channel: str, payload: str) -> None:
        for subscription in self._subscriptions.get(channel, ()):
            subscription._put(payload)

    def _gap(self) -> None:
        for subscriptions in self._subscriptions.values():
            for subscription in subscriptions:
                subscription._gap()

    @abstractmethod
    async def _connect(self) -> None: ...

    @abstractmethod
    async def _disconnect(self) -> None: ...

    @abstractmethod
    async def _publish(self, channel: str, payload: str) -> None: ...

    @abstractmethod
    async def _listen(self, channel: str) -> None:
        """Start receiving the channel; called with the lock held, before its first subscriber."""

    @abstractmethod
    async def _unlisten(self, channel: str) -> None:
        """Stop receiving the channel; called with the lock held, after its last subscriber."""
