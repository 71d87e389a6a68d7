"""The PostgreSQL bus through faults: a killed listener, a lost network, a silent listener, a
fast stop of PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from server.bus import BusUnavailable, create_bus
from server.bus import postgres as bus_postgres
from tests.conftest import POSTGRES_URL, SKIP_POSTGRES
from tests.ports import free_port
from tests.server.buses import DATABASE_URL, WAIT, MakeBus, next_item


async def test_a_killed_listener_reconnects_and_reports_the_gap(
    make_postgres_bus: MakeBus, channel: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="werkplaats.bus")
    bus = await make_postgres_bus()
    assert POSTGRES_URL
    admin = await asyncpg.connect(
        make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(False)
    )
    try:
        async with bus.subscribe(channel) as first, bus.subscribe(channel) as second:
            await bus.publish(channel, "before")
            assert await next_item(first) == "before"
            assert await next_item(second) == "before"
            # The listener's last statement was LISTEN on this test's own channel.
            pid = await admin.fetchval(
                "SELECT pid FROM pg_stat_activity"
                " WHERE application_name = 'werkplaats-bus' AND query LIKE '%' || $1 || '%'",
                channel,
            )
            assert pid is not None
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
            assert await next_item(first) is None
            assert await next_item(second) is None
            await bus.publish(channel, "after")
            assert await next_item(first) == "after"
            assert await next_item(second) == "after"
            new_pid = await admin.fetchval(
                "SELECT pid FROM pg_stat_activity"
                " WHERE application_name = 'werkplaats-bus' AND query LIKE '%' || $1 || '%'",
                channel,
            )
            assert new_pid not in (None, pid)
    finally:
        await admin.close()
    messages = [record.getMessage() for record in caplog.records]
    assert any("lost the listening connection" in message for message in messages)
    assert any("listening again" in message for message in messages)


class Proxy:
    """A TCP proxy to PostgreSQL whose connections a test can cut, refuse or silence."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._writers: list[asyncio.StreamWriter] = []
        self._silenced: list[asyncio.Event] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.refusing = False
        self.refused = 0
        self._refusal = asyncio.Event()
        self.port = 0

    async def __aenter__(self) -> Proxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        self._server.close()
        self.cut()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def cut(self) -> None:
        """Close every connection, as a server restart or a broken network would."""
        for writer in self._writers:
            writer.close()
        self._writers.clear()

    async def refusals(self, count: int) -> None:
        """Return once this many connections have been refused."""
        while self.refused < count:
            self._refusal.clear()
            await self._refusal.wait()

    def silence(self) -> None:
        """Stop forwarding on every open connection without closing it."""
        for flowing in self._silenced:
            flowing.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refusing:
            self.refused += 1
            self._refusal.set()
            writer.close()
            return
        upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        self._writers += [writer, upstream_writer]
        flowing = asyncio.Event()
        flowing.set()
        self._silenced.append(flowing)
        for source, sink in ((reader, upstream_writer), (upstream_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink, flowing))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, flowing: asyncio.Event
    ) -> None:
        try:
            while data := await source.read(65536):
                await flowing.wait()
                sink.write(data)
                await sink.drain()
        except OSError:
            pass
        finally:
            sink.close()


@pytest.fixture
async def proxy() -> AsyncIterator[Proxy]:
    if not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    url = make_url(POSTGRES_URL)
    async with Proxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        yield proxy


def through(proxy: Proxy) -> str:
    assert POSTGRES_URL
    url = make_url(POSTGRES_URL).set(drivername="postgresql", host="127.0.0.1", port=proxy.port)
    return url.render_as_string(hide_password=False)


async def test_a_lost_network_is_retried_with_backoff_until_it_returns(
    proxy: Proxy, make_postgres_bus: MakeBus, channel: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="werkplaats.bus")
    publisher = await make_postgres_bus()
    bus = create_bus(through(proxy), DATABASE_URL)
    await bus.connect()
    try:
        async with bus.subscribe(channel) as subscription:
            proxy.refusing = True
            proxy.cut()
            await asyncio.wait_for(proxy.refusals(3), WAIT)
            await publisher.publish(channel, "while away")
            proxy.refusing = False
            # What was published while away is lost; the None says so.
            assert await next_item(subscription) is None
            await publisher.publish(channel, "back")
            assert await next_item(subscription) == "back"
            # The publishing side reconnects as well.
            await bus.publish(channel, "ours")
            assert await next_item(subscription) == "ours"
    finally:
        await bus.disconnect()
    messages = [record.getMessage() for record in caplog.records]
    assert any("retrying in 0.1 s" in message for message in messages)
    assert any("retrying in 0.2 s" in message for message in messages)
    assert all("127.0.0.1" in m for m in messages if "cannot reach" in m)


async def test_a_silent_listener_is_noticed_and_replaced(
    proxy: Proxy,
    make_postgres_bus: MakeBus,
    channel: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(bus_postgres, "PING_INTERVAL", 0.2)
    monkeypatch.setattr(bus_postgres, "COMMAND_TIMEOUT", 0.5)
    publisher = await make_postgres_bus()
    bus = create_bus(through(proxy), DATABASE_URL)
    await bus.connect()
    try:
        async with bus.subscribe(channel) as subscription:
            # New connections still pass: only the open ones went quiet.
            proxy.silence()
            assert await next_item(subscription) is None
            await publisher.publish(channel, "after")
            assert await next_item(subscription) == "after"
    finally:
        await bus.disconnect()
    assert any("did not answer" in record.getMessage() for record in caplog.records)


class ThrowawayPostgres:
    """A PostgreSQL cluster of this test's own (Debian's binaries, run as the postgres user),
    which it may stop fast and start again without touching the shared test database."""

    def __init__(self) -> None:
        binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not binaries:
            pytest.skip("PostgreSQL's server binaries are not installed")
        self._bin = binaries[-1].parent
        # Not under pytest's tmp_path: the postgres user must be able to reach it.
        self._data = Path(tempfile.mkdtemp(prefix="werkplaats-cluster-"))
        self.port = free_port()
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(self._data, "postgres", "postgres")
        self._as_postgres("initdb", "-D", str(self._data), "-A", "trust", "-U", "postgres")

    def _as_postgres(self, program: str, *args: str) -> None:
        command = [str(self._bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self._data)

    def start(self) -> None:
        options = f"-p {self.port} -k {self._data} -c listen_addresses=127.0.0.1"
        # With a log file of its own, the server does not hold this test's pipes open.
        log = str(self._data / "server.log")
        self._as_postgres("pg_ctl", "-D", str(self._data), "-o", options, "-l", log, "-w", "start")

    def stop_fast(self) -> None:
        self._as_postgres("pg_ctl", "-D", str(self._data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._as_postgres("pg_ctl", "-D", str(self._data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self._data, ignore_errors=True)


@pytest.mark.postgres
async def test_a_fast_stop_of_postgresql_reads_as_unavailable_not_as_an_internal_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`pg_ctl stop -m fast` (what a PostgreSQL restart does) ends every connection with an
    admin-shutdown error: publishing says the bus is unavailable, nothing logs a traceback, and
    once PostgreSQL is back, messages flow again."""
    caplog.set_level(logging.INFO)
    cluster = ThrowawayPostgres()
    cluster.start()
    try:
        bus = bus_postgres.PostgresBus(cluster.dsn)
        await bus.connect()
        failures: list[BaseException] = []
        try:
            async with bus.subscribe("restart") as subscription:
                await bus.publish("restart", "before")
                assert await next_item(subscription) == "before"

                stopping = asyncio.create_task(asyncio.to_thread(cluster.stop_fast))
                while not stopping.done():  # publishing all through the stop
                    try:
                        await bus.publish("restart", "during")
                    except Exception as failure:
                        failures.append(failure)
                    await asyncio.sleep(0.005)
                await stopping
                for _ in range(5):  # and while PostgreSQL is down
                    with pytest.raises(Exception) as down:
                        await bus.publish("restart", "down")
                    failures.append(down.value)
                await asyncio.to_thread(cluster.start)

                async def heard_again() -> None:
                    # What is published before the listener is back is lost (readers catch
                    # up from the database): publish until a message comes through.
                    while True:
                        try:
                            await bus.publish("restart", "after")
                        except Exception as failure:
                            failures.append(failure)
                        with contextlib.suppress(TimeoutError):
                            while True:
                                item = await asyncio.wait_for(anext(subscription), 0.2)
                                if item == "after":
                                    return

                await asyncio.wait_for(heard_again(), 30)
        finally:
            await bus.disconnect()
    finally:
        cluster.remove()
    assert failures
    assert {type(f) for f in failures} == {BusUnavailable}, failures
    assert all("PostgreSQL" in str(f) for f in failures)
    noisy = [r for r in caplog.records if r.exc_info or "InternalClientError" in r.getMessage()]
    assert not noisy, [r.getMessage() for r in noisy]
