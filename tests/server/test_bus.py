"""The bus: the same behaviour on every backend, and PostgreSQL across connections and processes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from server.bus import MAX_PAYLOAD_BYTES, Bus, BusUnavailable, Subscription, create_bus
from server.bus import postgres as bus_postgres
from server.settings import normalize_database_url
from tests.conftest import POSTGRES_URL, SKIP_POSTGRES

ROOT = Path(__file__).resolve().parents[2]
# The bus needs no migrated database; the driver part checks that it is stripped for asyncpg.
DATABASE_URL = normalize_database_url(POSTGRES_URL) if POSTGRES_URL else "sqlite:///unused"
WAIT = 5.0

MakeBus = Callable[..., Awaitable[Bus]]


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.postgres)])
def bus_url(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    return "memory://" if request.param == "memory" else "postgres://"


@pytest.fixture
def postgres_bus_url() -> str:
    if not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    return "postgres://"


async def _connected_buses(url: str) -> AsyncIterator[MakeBus]:
    buses: list[Bus] = []

    async def make(**options: int) -> Bus:
        bus = create_bus(url, DATABASE_URL, **options)
        await bus.connect()
        buses.append(bus)
        return bus

    try:
        yield make
    finally:
        for bus in buses:
            await bus.disconnect()


@pytest.fixture
async def make_bus(bus_url: str) -> AsyncIterator[MakeBus]:
    async for make in _connected_buses(bus_url):
        yield make


@pytest.fixture
async def make_postgres_bus(postgres_bus_url: str) -> AsyncIterator[MakeBus]:
    async for make in _connected_buses(postgres_bus_url):
        yield make


@pytest.fixture
async def bus(make_bus: MakeBus) -> Bus:
    return await make_bus()


@pytest.fixture
def channel() -> str:
    # Every test run shares the test database, so each test gets channels of its own.
    return f"test:{uuid.uuid4().hex}"


async def next_item(subscription: Subscription) -> str | None:
    return await asyncio.wait_for(anext(subscription), WAIT)


async def items(subscription: Subscription, count: int) -> list[str | None]:
    return [await next_item(subscription) for _ in range(count)]


async def test_every_subscriber_of_the_channel_receives_and_no_other(
    bus: Bus, channel: str
) -> None:
    async with (
        bus.subscribe(channel) as first,
        bus.subscribe(channel) as second,
        bus.subscribe(channel + ".other") as other,
    ):
        await bus.publish(channel, "hello")
        await bus.publish(channel + ".other", "end")
        assert await next_item(first) == "hello"
        assert await next_item(second) == "hello"
        # Published after "hello", so "hello" would have come first had it been delivered here.
        assert await next_item(other) == "end"


async def test_one_publisher_order_is_kept(bus: Bus, channel: str) -> None:
    async with bus.subscribe(channel) as first, bus.subscribe(channel) as second:
        for number in range(1000):
            await bus.publish(channel, str(number))
        expected: list[str | None] = [str(number) for number in range(1000)]
        assert await items(first, 1000) == expected
        assert await items(second, 1000) == expected


async def test_unsubscribe_stops_delivery(bus: Bus, channel: str) -> None:
    async with bus.subscribe(channel) as staying:
        async with bus.subscribe(channel) as leaving:
            pass
        await bus.publish(channel, "after")
        assert await next_item(staying) == "after"
        assert [item async for item in leaving] == []


async def test_the_last_subscriber_leaving_and_a_new_one_coming(bus: Bus, channel: str) -> None:
    async with bus.subscribe(channel):
        pass
    await bus.publish(channel, "nobody hears this")
    async with bus.subscribe(channel) as again:
        await bus.publish(channel, "heard")
        assert await next_item(again) == "heard"


async def test_disconnect_ends_iteration(bus: Bus, channel: str) -> None:
    async def read_all() -> list[str | None]:
        async with bus.subscribe(channel) as subscription:
            ready.set()
            return [item async for item in subscription]

    ready = asyncio.Event()
    reader = asyncio.create_task(read_all())
    await asyncio.wait_for(ready.wait(), WAIT)
    async with bus.subscribe(channel) as witness:
        await bus.publish(channel, "last")
        # Delivered to every subscriber at once: once the witness has it, so has the reader.
        assert await next_item(witness) == "last"
        await bus.disconnect()
        assert [item async for item in witness] == []
    assert await asyncio.wait_for(reader, WAIT) == ["last"]
    with pytest.raises(RuntimeError, match="not connected"):
        await bus.publish(channel, "too late")


async def test_an_overflowing_subscriber_gets_one_none_and_the_newest(
    make_bus: MakeBus, channel: str
) -> None:
    bus = await make_bus(queue_size=3)
    async with bus.subscribe(channel) as slow, bus.subscribe(channel + ".marker") as marker:
        for number in range(1, 6):
            await bus.publish(channel, str(number))
        await bus.publish(channel + ".marker", "all sent")
        # The marker was published last, so when it arrives everything before it has too.
        assert await next_item(marker) == "all sent"
        assert await items(slow, 3) == [None, "4", "5"]
        await bus.publish(channel, "6")
        assert await next_item(slow) == "6"


async def test_bad_input_is_refused_and_nothing_is_published(bus: Bus, channel: str) -> None:
    async with bus.subscribe(channel) as subscription:
        for bad in ("", "with space", "semi;colon", 'quo"te', "x" * 61, "naïve"):
            with pytest.raises(ValueError, match=r"bus channel .* is not allowed; use 1 to 60"):
                await bus.publish(bad, "payload")
            with pytest.raises(ValueError, match="is not allowed"):
                bus.subscribe(bad)
        with pytest.raises(ValueError, match="bus payload is 7901 bytes; at most 7900"):
            await bus.publish(channel, "x" * (MAX_PAYLOAD_BYTES + 1))
        # Counted in bytes: 3,951 two-byte characters are 7,902 bytes.
        with pytest.raises(ValueError, match="bus payload is 7902 bytes"):
            await bus.publish(channel, "é" * 3951)
        with pytest.raises(ValueError, match="NUL"):
            await bus.publish(channel, "a\x00b")
        longest = "x" * MAX_PAYLOAD_BYTES
        await bus.publish(channel, longest)
        assert await next_item(subscription) == longest


@pytest.mark.parametrize(
    ("url", "named"),
    [("redis://:secret@localhost", "'redis'"), ("memory", "'(none)'"), ("http://x", "'http'")],
)
def test_an_unknown_scheme_is_refused_by_name(url: str, named: str) -> None:
    with pytest.raises(ValueError) as refused:
        create_bus(url, DATABASE_URL)
    assert str(refused.value).startswith(
        f"bus URL scheme {named} is not supported; allowed: memory:// (one process) or postgres://"
    )
    assert "secret" not in str(refused.value)


def test_a_postgres_bus_needs_a_postgresql_url() -> None:
    with pytest.raises(ValueError, match="the database is sqlite"):
        create_bus("postgres://", "sqlite+aiosqlite:///data/werkplaats.sqlite3")
    with pytest.raises(ValueError, match="the bus URL is not a URL"):
        create_bus("postgres://host:notaport/db", DATABASE_URL)


async def test_two_buses_on_postgres_hear_each_other(
    make_postgres_bus: MakeBus, channel: str
) -> None:
    one, other = await make_postgres_bus(), await make_postgres_bus()
    async with one.subscribe(channel) as at_one, other.subscribe(channel) as at_other:
        await other.publish(channel, "from other")
        await one.publish(channel, "from one")
        assert await items(at_one, 2) == ["from other", "from one"]
        assert await items(at_other, 2) == ["from other", "from one"]


CHILD = """
import asyncio, os, sys
from server.bus import create_bus

async def main() -> None:
    bus = create_bus("postgres://", os.environ["WERKPLAATS_TEST_POSTGRES_URL"])
    await bus.connect()
    try:
        for number in range(3):
            await bus.publish(sys.argv[1], f"child {number}")
    finally:
        await bus.disconnect()

asyncio.run(main())
"""


async def test_another_os_process_publishes(make_postgres_bus: MakeBus, channel: str) -> None:
    bus = await make_postgres_bus()
    async with bus.subscribe(channel) as subscription:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-c", CHILD, channel, cwd=ROOT, stderr=asyncio.subprocess.PIPE
        )
        _, stderr = await asyncio.wait_for(child.communicate(), 30)
        assert child.returncode == 0, stderr.decode()
        assert await items(subscription, 3) == ["child 0", "child 1", "child 2"]


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
        self.port = _free_port()
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
