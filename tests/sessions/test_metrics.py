"""What /metrics reports about live sessions, as an operator scraping a real server sees it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from server.bus.memory import MemoryBus
from sessions.engine import SessionEngine
from sessions.fanout import QUEUE_LIMIT, Connection
from sessions.metrics import SessionsCollector
from sessions.runtime import assemble
from tests.sessions.live import Client, Server


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


async def scrape(server: Server) -> dict[str, float]:
    """The samples of /metrics by name (with `name{operation=…}` for the timings)."""
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            name = sample.name
            if "operation" in sample.labels and "le" not in sample.labels:
                name += f"{{operation={sample.labels['operation']}}}"
            samples[name] = sample.value
    return samples


def grew(before: dict[str, float], after: dict[str, float], name: str) -> float:
    return after[name] - before[name]


async def eventually(
    server: Server, condition: Callable[[dict[str, float]], bool], seconds: float = 10
) -> dict[str, float]:
    """Scrape until the condition holds (the fan-out notices a closed socket a moment later)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        samples = await scrape(server)
        if condition(samples):
            return samples
        assert asyncio.get_running_loop().time() < deadline, samples
        await asyncio.sleep(0.05)


async def _client(server: Server, created: dict[str, object], name: str | None) -> Client:
    if name is None:  # the facilitator
        participant, token = str(created["participant"]), str(created["token"])
    else:
        answer = await server.join(str(created["join_code"]), name)
        assert answer.status_code == 201, answer.text
        participant, token = answer.json()["participant"], answer.json()["token"]
    client = Client(server, str(created["session"]), participant, token)
    await client.connect()
    return client


async def test_connections_sessions_and_events_move_as_people_take_part(server: Server) -> None:
    await eventually(server, lambda m: m["werkplaats_websocket_connections"] == 0)
    created = await server.create_session()
    fa = await _client(server, created, None)
    anna = await _client(server, created, "Anna")
    bram = await _client(server, created, "Bram")
    clients = [fa, anna, bram]
    before = await eventually(
        server,
        lambda m: m["werkplaats_websocket_connections"] == 3 and m["werkplaats_live_sessions"] == 1,
    )
    for client in clients:  # every join is in, so the counts below are the notes' alone
        await client.wait_for(lambda c=client: c.last_seq == fa.welcome["seq"] + 2)
    first = fa.last_seq

    for n in range(5):
        await anna.do(f"n{n}", "note.add", text=f"idee {n}")
    await fa.do("c1", "chat.post", text="dank")
    for client in clients:
        await client.wait_for(lambda c=client: c.last_seq == anna.last_seq)
    new_events = anna.last_seq - first
    assert new_events >= 6

    after = await scrape(server)
    appended = grew(before, after, "werkplaats_events_appended_total")
    delivered = grew(before, after, "werkplaats_events_delivered_total")
    assert appended == new_events
    assert delivered == 3 * new_events  # every event to each of the three connections
    commits = "werkplaats_database_seconds_count{operation=append}"
    assert after[commits] > before[commits]
    assert after["werkplaats_database_seconds_sum{operation=append}"] > 0

    await bram.close()
    await eventually(server, lambda m: m["werkplaats_websocket_connections"] == 2)
    for client in (fa, anna):
        await client.close()
    last = await eventually(
        server,
        lambda m: m["werkplaats_websocket_connections"] == 0 and m["werkplaats_live_sessions"] == 0,
    )
    # Counters never go back when connections close.
    assert last["werkplaats_events_delivered_total"] == after["werkplaats_events_delivered_total"]
    assert last["werkplaats_slow_clients_dropped_total"] == 0


async def test_a_resume_is_timed_and_its_missed_events_counted(server: Server) -> None:
    created = await server.create_session()
    fa = await _client(server, created, None)
    anna = await _client(server, created, "Anna")
    await anna.close()
    await fa.do("c1", "chat.post", text="terwijl Anna weg is")
    await fa.do("c2", "chat.post", text="nog een")
    before = await scrape(server)
    await anna.connect()  # resumes from its last seq
    assert anna.welcome["resume_from"] > 0
    await anna.wait_for(lambda: anna.last_seq == fa.last_seq)
    after = await scrape(server)
    resumes = "werkplaats_database_seconds_count{operation=resume}"
    assert after[resumes] == before[resumes] + 1
    assert grew(before, after, "werkplaats_events_delivered_total") == 2


class _Socket:
    async def send_text(self, text: str) -> None:
        pass

    async def close(self, code: int = 1000, reason: str = "") -> None:
        pass


def _values(collector: SessionsCollector) -> dict[str, float]:
    return {s.name: s.value for family in collector.collect() for s in family.samples}


async def test_a_slow_client_dropped_is_counted_by_its_own_process() -> None:
    bus = MemoryBus()
    await bus.connect()
    lives = [assemble(SessionEngine(None), bus) for _ in range(2)]  # type: ignore[arg-type]
    collectors = [
        SessionsCollector(SimpleNamespace(state=SimpleNamespace(session_fanout=h.fanout)))  # type: ignore[arg-type]
        for h in lives
    ]
    try:
        slow = Connection(_Socket(), "p1")  # type: ignore[arg-type]
        lives[0].fanout.add(1, slow)
        while slow.put(1, b"{}"):  # nobody sends: the queue fills up
            pass
        assert slow.delivered == QUEUE_LIMIT
        lives[0].fanout.reply(1, slow, b'{"type":"ack"}')  # no room: the fan-out closes it (4008)
        assert slow.closed
        mine, other = _values(collectors[0]), _values(collectors[1])
        assert mine["werkplaats_slow_clients_dropped_total"] == 1
        assert mine["werkplaats_websocket_connections"] == 0
        assert mine["werkplaats_events_delivered_total"] == QUEUE_LIMIT  # kept after closing
        # Two apps in one process (as in tests) count apart.
        assert other["werkplaats_slow_clients_dropped_total"] == 0
        assert other["werkplaats_events_delivered_total"] == 0
    finally:
        for live in lives:
            await live.close()
        await bus.disconnect()
