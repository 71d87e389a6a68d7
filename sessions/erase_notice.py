"""Telling every server process that sessions were erased, over the bus.

Each process keeps the state of the sessions it serves in memory. After an erasure rewrote a
session's log, every process must drop that copy (and close its connections, so browsers fetch
a fresh state), not only the one that erased: the others would go on showing the old name.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from server.bus import Bus
from sessions.bus_messages import ERASED_CHANNEL, Erased

log = logging.getLogger("werkplaats.sessions")

CHANNEL = ERASED_CHANNEL
CHUNK = 500  # session ids per notice: well below a bus payload's limit

Reload = Callable[[Sequence[int]], Awaitable[None]]


async def announce(bus: Bus, sender: str, session_ids: Sequence[int]) -> None:
    """Publish that these sessions were erased; `sender` skips its own notice."""
    ids = sorted(set(session_ids))
    for start in range(0, len(ids), CHUNK):
        await bus.publish(CHANNEL, Erased(sender, tuple(ids[start : start + CHUNK])).encode())


async def follow(
    bus: Bus, me: str, reload: Reload, reload_all: Callable[[], Awaitable[None]]
) -> None:
    """Reload the sessions other processes (or the command line) erased, until cancelled.

    When notices may have been lost (the bus reconnected), every cached session is dropped
    (`reload_all`): reading them again from the log costs little, keeping an erased name in
    memory is not acceptable."""
    async with bus.subscribe(CHANNEL) as notices:
        async for payload in notices:
            try:
                if payload is None:
                    await reload_all()
                    continue
                notice = Erased.decode(payload)
                if notice.sender != me:
                    await reload(notice.session_ids)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reloading erased sessions failed")
