"""What live sessions keep running while the app serves, and how its parts are wired.

The engine commits events and calls `deliver` (this process's fan-out) and `notify` (the other
processes, over the bus); the fan-out tells presence of every connection added and removed.
`assemble` makes these connections explicitly, here and nowhere else.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from starlette.applications import Starlette

from server.bus import Bus, create_bus
from sessions import erase_notice
from sessions.engine import SessionEngine
from sessions.erase import forget_live
from sessions.fanout import FanOut
from sessions.flood import COMMANDS_PER_SECOND
from sessions.presence import (
    PRESENCE_INTERVAL,
    PRESENCE_THROTTLE,
    PRESENCE_THROTTLE_PER_CONNECTION,
    Presence,
)


@dataclass(frozen=True)
class Live:
    """The engine, this process's fan-out and presence, wired to each other."""

    engine: SessionEngine
    fanout: FanOut
    presence: Presence

    async def close(self) -> None:
        """Close every connection; the other processes hear that their participants left."""
        self.presence.stop()
        await self.fanout.close_all()  # the last connection of a session announces an empty set
        await self.presence.published()


def assemble(
    engine: SessionEngine,
    bus: Bus,
    *,
    presence_interval: float = PRESENCE_INTERVAL,
    presence_throttle: float = PRESENCE_THROTTLE,
    presence_throttle_per_connection: float = PRESENCE_THROTTLE_PER_CONNECTION,
    commands_per_second: float = COMMANDS_PER_SECOND,
) -> Live:
    """Make the fan-out and presence for an engine and connect the callbacks between them."""
    fanout = FanOut(engine, bus, commands_per_second=commands_per_second)
    presence = Presence(
        fanout,
        bus,
        interval=presence_interval,
        throttle=presence_throttle,
        throttle_per_connection=presence_throttle_per_connection,
    )
    engine.deliver = fanout.deliver  # committed events go out to the connections here ...
    engine.notify = fanout.notify  # ... and the other processes hear of them
    fanout.added = presence.add
    fanout.removed = presence.remove
    return Live(engine, fanout, presence)


@contextlib.asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[None]:
    """Start the session machinery for the app's lifespan; stop it, in order, at the end."""
    settings = app.state.settings
    bus = create_bus(settings.bus_url, settings.database_url)
    await bus.connect()
    engine = SessionEngine(app.state.db)
    live = assemble(
        engine,
        bus,
        presence_interval=settings.presence_interval,
        commands_per_second=settings.commands_per_second,
    )
    await engine.start()
    app.state.session_engine = engine
    app.state.session_fanout = live.fanout
    app.state.session_presence = live.presence

    async def reload(session_ids: Sequence[int]) -> None:
        await forget_live(app.state.db, app, session_ids)

    async def reload_all() -> None:
        for session_id in engine.cached():
            await engine.forget(session_id)

    erasures = asyncio.get_running_loop().create_task(
        erase_notice.follow(bus, live.fanout.process, reload, reload_all), name="erase-notices"
    )
    try:
        yield
    finally:
        erasures.cancel()
        await live.close()
        await engine.stop()
        await bus.disconnect()
