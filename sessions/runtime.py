"""What live sessions keep running while the app serves: the bus, the engine, the hub."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette

from server.bus import create_bus
from sessions.engine import SessionEngine
from sessions.hub import Hub


@contextlib.asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[None]:
    """Start the session machinery for the app's lifespan; stop it, in order, at the end."""
    settings = app.state.settings
    bus = create_bus(settings.bus_url, settings.database_url)
    await bus.connect()
    engine = SessionEngine(app.state.db)
    hub = Hub(engine, bus, presence_interval=settings.presence_interval)
    await engine.start()
    app.state.session_engine = engine
    app.state.session_hub = hub
    try:
        yield
    finally:
        await hub.close_all()
        await engine.stop()
        await bus.disconnect()
