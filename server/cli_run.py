"""What every `werkplaats` sub-command's handler uses: its refusals, the database (with the
messages for a database that cannot be reached or is not migrated), the bus to the running
server processes, and a confirmation question."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from server.settings import Settings

if TYPE_CHECKING:
    from server.bus import Bus

Handler = Callable[[argparse.Namespace, Settings], int]
Sessions = async_sessionmaker[AsyncSession]


class CommandError(Exception):
    """A refused command; the message is printed and the exit code is 2."""


def run_with_database(
    settings: Settings, work: Callable[[AsyncEngine, Sessions], Awaitable[int]]
) -> int:
    """Run async work with an engine, turning an unreachable database into a clear error."""
    from server.db import create_engine, database_problem, sessionmaker

    async def go() -> int:
        engine = create_engine(settings.database_url)
        try:
            problem = await database_problem(engine)
            if problem is not None:
                raise CommandError(f"cannot reach the database {problem}")
            return await work(engine, sessionmaker(engine))
        finally:
            await engine.dispose()

    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return asyncio.run(go())


async def require_migrated(engine: AsyncEngine, database: str | None = None) -> None:
    """Refuse to work on a database whose schema is behind (named, when `database` is given)."""
    from server.migrate import pending

    if await pending(engine):
        named = f"the database {database}" if database is not None else "the database"
        raise CommandError(f"{named} is not migrated; run `werkplaats migrate` first")


@contextlib.asynccontextmanager
async def bus_to_servers(settings: Settings) -> AsyncIterator[Bus | None]:
    """The PostgreSQL bus the server processes listen on, or None: with memory:// they are out
    of reach (and when the bus cannot be reached, the caller says to restart them)."""
    from server.bus import create_bus

    if settings.bus_url.startswith("memory"):
        yield None
        return
    bus = create_bus(settings.bus_url, settings.database_url)
    try:
        await bus.connect()
    except Exception as error:
        print(f"werkplaats: cannot reach the bus ({type(error).__name__})", file=sys.stderr)
        yield None
        return
    try:
        yield bus
    finally:
        await bus.disconnect()


def confirm(question: str) -> bool:
    try:
        answer = input(question)
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "j", "ja")
