"""The guarantees of DESIGN.md, each against real server processes on loopback ports.

- No acknowledged event is lost, also when the server process is killed and restarted.
- Every client converges to the state of the log, after disconnects and resumes.
- Two server processes on one PostgreSQL serve one session together.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import (
    POSTGRES_URL,
    SKIP_POSTGRES,
    create_postgres_database,
    drop_postgres_database,
)
from tests.sessions.live import Client, Server, expected_state, joined, running, same


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    server = Server(database_url, tmp_path)
    server.prepare()
    try:
        yield server
    finally:
        server.stop(kill=True)


async def test_no_acknowledged_event_is_lost_when_the_server_is_killed(server: Server) -> None:
    server.start()
    created = await server.create_session()
    public_id = str(created["session"])
    writers = [await joined(server, created, f"Deelnemer {n}") for n in range(4)]
    sent: dict[str, Client] = {}

    async def write(client: Client, n: int) -> None:
        for i in range(200):
            command_id = f"{client.participant}-{i}"
            sent[command_id] = client
            try:
                await client.send(type="note.add", id=command_id, text=f"briefje {n}.{i}")
            except Exception:
                return  # the server is gone
            await asyncio.sleep(0)

    writing = [asyncio.create_task(write(client, n)) for n, client in enumerate(writers)]
    await writers[0].wait_for(lambda: len(writers[0].acks) >= 20)
    server.stop(kill=True)  # SIGKILL, mid-stream
    await asyncio.gather(*writing)
    acked = {cid: seqs for client in writers for cid, seqs in client.acks.items()}
    assert acked, "some commands were acknowledged before the kill"

    server.start()
    log = await server.log(public_id)
    assert [event.seq for event in log] == list(range(1, len(log) + 1))  # gap-free
    by_seq = {event.seq: event for event in log}
    for command_id, seqs in acked.items():
        for seq in seqs:
            assert seq in by_seq, f"acknowledged {command_id} (seq {seq}) was lost"
            assert by_seq[seq].actor == sent[command_id].participant
    # Everyone resumes and converges to the log.
    for client in writers:
        await client.close()
        await client.connect()
        await client.wait_for(lambda client=client: client.last_seq >= log[-1].seq)
        assert same(client.state, await expected_state(server, public_id, client.participant))


async def test_fifty_clients_with_random_disconnects_converge(server: Server) -> None:
    server.start()
    created = await server.create_session()
    public_id = str(created["session"])
    clients = await asyncio.gather(*(joined(server, created, f"Deelnemer {n}") for n in range(50)))
    rng = random.Random(4)
    acked: dict[str, list[int]] = {}

    async def act(client: Client, n: int) -> None:
        for i in range(30):
            if rng.random() < 0.1:
                await client.close()
                await asyncio.sleep(rng.random() / 20)
                await client.connect()  # resumes from its last seq
            command_id = f"{n}-{i}"
            try:
                acked[command_id] = await client.do(command_id, "note.add", text=f"{n}/{i}")
            except AssertionError:
                continue

    await asyncio.gather(*(act(client, n) for n, client in enumerate(clients)))
    log = await server.log(public_id)
    assert [event.seq for event in log] == list(range(1, len(log) + 1))
    seqs = [seq for found in acked.values() for seq in found]
    assert len(seqs) == len(set(seqs)) == 50 * 30  # every command once, exactly
    assert {event.seq for event in log} >= set(seqs)
    for client in clients:
        await client.wait_for(lambda client=client: client.last_seq == log[-1].seq)
        assert same(client.state, await expected_state(server, public_id, client.participant))


@pytest.mark.postgres
async def test_two_processes_on_postgresql_serve_one_session(tmp_path: Path) -> None:
    if not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    database_url = await create_postgres_database()
    try:
        await _two_processes(database_url, tmp_path)
    finally:
        await drop_postgres_database(database_url)


async def _two_processes(database_url: str, tmp_path: Path) -> None:
    bus = {"WERKPLAATS_BUS_URL": "postgres://"}
    first = Server(database_url, tmp_path, bus)
    first.prepare()
    second = Server(database_url, tmp_path, bus)
    with running(first), running(second):
        created = await first.create_session()
        public_id = str(created["session"])
        on_first = [await joined(first, created, f"Eerste {n}") for n in range(3)]
        on_second = [await joined(second, created, f"Tweede {n}") for n in range(3)]
        for n, client in enumerate(on_first + on_second):
            await client.do(f"c{n}", "note.add", text=f"van {client.participant}")
            await client.do(f"h{n}", "chat.post", text="hallo")
        log = await first.log(public_id)
        assert [event.seq for event in log] == list(range(1, len(log) + 1))
        for client in on_first + on_second:
            await client.wait_for(lambda client=client: client.last_seq == log[-1].seq)
            assert same(client.state, await expected_state(first, public_id, client.participant))
