"""The bus over PostgreSQL LISTEN/NOTIFY: one listening connection per process, kept alive."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from server.bus.base import QUEUE_SIZE, Bus, BusUnavailable

logger = logging.getLogger("werkplaats.bus")

# Our channels share PostgreSQL's one namespace per database with anything else listening.
PREFIX = "wp_"
APPLICATION_NAME = "werkplaats-bus"
CONNECT_TIMEOUT = 10.0
COMMAND_TIMEOUT = 5.0
# A connection whose network went away silently is only noticed when we ask it something.
PING_INTERVAL = 15.0
FIRST_RETRY = 0.1
LAST_RETRY = 5.0
# What a publish raises when PostgreSQL is stopping, restarting or out of reach.
_UNREACHABLE = (
    OSError,
    TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)


class _Connection(Protocol):
    """The part of asyncpg.Connection the bus uses."""

    async def add_listener(self, channel: str, callback: Callable[..., None]) -> None: ...
    async def remove_listener(self, channel: str, callback: Callable[..., None]) -> None: ...
    def add_termination_listener(self, callback: Callable[[Any], None]) -> None: ...
    async def execute(self, query: str, *args: object) -> str: ...
    async def close(self) -> None: ...
    def terminate(self) -> None: ...
    def is_closed(self) -> bool: ...


class _Pool(Protocol):
    """The part of asyncpg.Pool the bus uses."""

    async def execute(self, query: str, *args: object) -> str: ...
    async def close(self) -> None: ...
    def terminate(self) -> None: ...


def listener_dsn(url: str, database_url: str) -> str:
    """The asyncpg DSN for a bus URL; a bare 'postgres://' means the database's own server."""
    bare = url in ("postgres://", "postgresql://")
    try:
        parsed = make_url(database_url if bare else url)
    except (ArgumentError, ValueError):
        what = "the database URL" if bare else "the bus URL"
        raise ValueError(f"{what} is not a URL; use postgresql://user@host:5432/name") from None
    if parsed.get_backend_name() not in ("postgres", "postgresql"):
        raise ValueError(
            f"a bare {url!r} bus uses the database's server, but the database is "
            f"{parsed.get_backend_name()}; give the bus its own postgresql://user@host/db URL"
        )
    # asyncpg speaks only plain postgresql://, not SQLAlchemy's postgresql+asyncpg://.
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


async def _keep_session(connection: object) -> None:
    """Skip asyncpg's reset on release: publishing leaves nothing to reset, so save a round trip."""


class PostgresBus(Bus):
    """Several processes on one PostgreSQL database; payloads travel as NOTIFY."""

    def __init__(self, dsn: str, *, queue_size: int = QUEUE_SIZE) -> None:
        super().__init__(queue_size=queue_size)
        self._dsn = dsn
        self._where = make_url(dsn).render_as_string(hide_password=True)
        self._listener: _Connection | None = None
        self._pool: _Pool | None = None
        self._supervisor: asyncio.Task[None] | None = None

    async def _connect(self) -> None:
        # Publishing goes through its own connections, so a slow NOTIFY never delays the
        # listener and the listener's LISTEN never waits for a publisher.
        # One connection opened now, but no floor kept: asyncpg restores a floor in the
        # background and logs a traceback for every try while PostgreSQL restarts; a publish
        # opens what it needs instead, and says so (BusUnavailable) when it cannot.
        self._pool = await asyncpg.create_pool(
            self._dsn,
            init_size=1,
            min_size=0,
            max_size=4,
            timeout=CONNECT_TIMEOUT,
            command_timeout=COMMAND_TIMEOUT,
            server_settings={"application_name": f"{APPLICATION_NAME}-publish"},
            reset=_keep_session,
        )
        try:
            listener = await self._open()
        except BaseException:
            self._pool.terminate()
            raise
        self._supervisor = asyncio.create_task(self._supervise(listener), name=APPLICATION_NAME)
        self._supervisor.add_done_callback(_report_crash)
        logger.info("bus: listening on PostgreSQL at %s", self._where)

    async def _disconnect(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            await asyncio.wait({self._supervisor})
            self._supervisor = None
        if self._listener is not None:
            await _close(self._listener)
            self._listener = None
        if self._pool is not None:
            try:
                await asyncio.wait_for(self._pool.close(), COMMAND_TIMEOUT)
            except TimeoutError:
                self._pool.terminate()
            self._pool = None

    async def _publish(self, channel: str, payload: str) -> None:
        assert self._pool is not None
        try:
            # pg_notify takes the channel as a value, so no quoting is needed here.
            await self._pool.execute("SELECT pg_notify($1, $2)", PREFIX + channel, payload)
        except _UNREACHABLE as exc:
            # A stop or restart of PostgreSQL ends connections in many ways (an admin-shutdown
            # error, a reset, a refusal, asyncpg's InternalClientError mid-query): one meaning.
            raise BusUnavailable(
                f"the bus cannot reach PostgreSQL at {self._where} ({type(exc).__name__}); "
                "the message was not sent, readers catch up from the database"
            ) from None

    async def _listen(self, channel: str) -> None:
        if self._listener is None:
            return  # reconnecting: _open() listens on every channel, this one included
        try:
            await self._listener.add_listener(PREFIX + channel, self._notified)
        except Exception as exc:  # whatever broke, reconnecting repairs it
            self._broken(self._listener, exc)

    async def _unlisten(self, channel: str) -> None:
        if self._listener is None:
            return
        try:
            await self._listener.remove_listener(PREFIX + channel, self._notified)
        except Exception as exc:
            self._broken(self._listener, exc)

    def _notified(self, connection: object, pid: int, channel: str, payload: str) -> None:
        self._deliver(channel.removeprefix(PREFIX), payload)

    def _broken(self, connection: _Connection, exc: BaseException) -> None:
        # Terminating wakes the supervisor, which reconnects and then tells every subscriber
        # that messages may have been lost.
        logger.warning("bus: the listening connection failed (%r); reconnecting", exc)
        connection.terminate()

    async def _open(self) -> _Connection:
        """A new listening connection, listening on every channel that has subscribers."""
        connection: _Connection = await asyncpg.connect(
            self._dsn,
            timeout=CONNECT_TIMEOUT,
            command_timeout=COMMAND_TIMEOUT,
            server_settings={"application_name": APPLICATION_NAME},
        )
        try:
            async with self._changing:
                for channel in self._subscriptions:
                    await connection.add_listener(PREFIX + channel, self._notified)
                self._listener = connection
        except BaseException:
            connection.terminate()
            raise
        return connection

    async def _supervise(self, connection: _Connection) -> None:
        """Watch the listening connection; when it is lost, reconnect and report the gap."""
        while True:
            await self._watch(connection)
            self._listener = None
            logger.warning("bus: lost the listening connection to %s; reconnecting", self._where)
            connection = await self._reconnect()
            self.reconnects += 1
            logger.warning("bus: listening again; subscribers are told to catch up")
            # Only now: a reader catching up from the database from here misses nothing.
            self._gap()

    async def _watch(self, connection: _Connection) -> None:
        """Return once the connection is lost or stops answering."""
        lost = asyncio.get_running_loop().create_future()

        def on_lost(_: object) -> None:
            if not lost.done():
                lost.set_result(None)

        connection.add_termination_listener(on_lost)
        while not connection.is_closed():
            done, _ = await asyncio.wait({lost}, timeout=PING_INTERVAL)
            if done:
                return
            try:
                async with self._changing:
                    await connection.execute("SELECT 1")
            except Exception as exc:
                logger.warning("bus: the listening connection did not answer (%r)", exc)
                connection.terminate()
                return

    async def _reconnect(self) -> _Connection:
        """Open a listening connection, retrying with backoff until it works."""
        delay = FIRST_RETRY
        while True:
            try:
                return await self._open()
            except Exception as exc:  # refused, DNS, auth, starting up: all retried
                logger.warning(
                    "bus: cannot reach PostgreSQL at %s (%r); retrying in %.1f s",
                    self._where,
                    exc,
                    delay,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, LAST_RETRY)


async def _close(connection: _Connection) -> None:
    try:
        await asyncio.wait_for(connection.close(), COMMAND_TIMEOUT)
    except Exception:  # a broken connection: just drop it
        connection.terminate()


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error(
            "bus: the listener stopped; no more messages will arrive",
            exc_info=task.exception(),
        )
