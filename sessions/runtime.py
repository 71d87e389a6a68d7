"""What live sessions keep running while the app serves: the bus, the engine, the hub."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

from starlette.applications import Starlette

from server.bus import create_bus
from sessions import erase_notice
from sessions.engine import SessionEngine
from sessions.erase import forget_live
from sessions.hub import Hub


@contextlib.asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[None]:
    """Start the session machinery for the app's lifespan; stop it, in order, at the end."""
    settings = app.state.settings
    bus = create_bus(settings.bus_url, settings.database_url)
    await bus.connect()
    engine = SessionEngine(app.state.db)
    hub = Hub(
        engine,
        bus,
        presence_interval=settings.presence_interval,
        commands_per_second=settings.commands_per_second,
    )
    await engine.start()
    app.state.session_engine = engine
    app.state.session_hub = hub

    async def reload(session_ids: Sequence[int]) -> None:
        await forget_live(app.state.db, app, session_ids)

    async def reload_all() -> None:
        for session_id in engine.cached():
            await engine.forget(session_id)

    erasures = asyncio.get_running_loop().create_task(
        erase_notice.follow(bus, hub.process, reload, reload_all), name="erase-notices"
    )
    try:
        yield
    finally:
        erasures.cancel()
        await hub.close_all()
        await engine.stop()
        await bus.disconnect()
