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

log = logging.getLogger("werkplaats.sessions")

CHANNEL = "sessions.erased"
CHUNK = 500  # session ids per notice: well below a bus payload's limit

Reload = Callable[[Sequence[int]], Awaitable[None]]


async def announce(bus: Bus, sender: str, session_ids: Sequence[int]) -> None:
    """Publish that these sessions were erased; `sender` skips its own notice."""
    ids = sorted(set(session_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ",".join(str(i) for i in ids[start : start + CHUNK])
        await bus.publish(CHANNEL, f"{sender}|{chunk}")


def parse(payload: str) -> tuple[str, list[int]]:
    """(sender, session ids) of a notice; ValueError when it is not one."""
    sender, _, ids = payload.partition("|")
    return sender, [int(i) for i in ids.split(",") if i]


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
                sender, session_ids = parse(payload)
                if sender != me:
                    await reload(session_ids)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reloading erased sessions failed")
