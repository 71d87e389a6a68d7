"""The bus: the same behaviour on every backend, and PostgreSQL across connections and processes."""

from __future__ import annotations

import asyncio
import sys

import pytest

from server.bus import MAX_PAYLOAD_BYTES, Bus, create_bus
from tests.server.buses import DATABASE_URL, ROOT, WAIT, MakeBus, items, next_item


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
