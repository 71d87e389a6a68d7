"""The production topology, run for real: PostgreSQL, two `werkplaats serve` processes and
nginx with the shipped site (deploy/topology), all from Debian's packages, on loopback.

A session is driven through nginx over HTTPS while its processes are stopped (SIGTERM, then
SIGKILL) and PostgreSQL restarts; every client resumes through nginx and no acknowledged event
is lost. Which process a client landed on is read from each process's /metrics.
"""

from __future__ import annotations

import asyncio
import importlib.machinery
import importlib.util
import json
import shutil
import signal
import ssl
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from server.settings import normalize_database_url
from tests.sessions.live import Client, Server, expected_state, joined, same

ROOT = Path(__file__).resolve().parents[2]
# nginx marks a process that refused a connection as down for this long (the shipped site).
FAIL_TIMEOUT = 5.0


def _load_topology() -> ModuleType:
    path = ROOT / "deploy" / "topology"
    loader = importlib.machinery.SourceFileLoader("werkplaats_topology", str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # dataclasses look their module up
    loader.exec_module(module)
    return module


topology_module = _load_topology()


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    missing = []
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        missing.append("nginx (apt-get install nginx)")
    if not list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")):
        missing.append("PostgreSQL's server (apt-get install postgresql)")
    if not shutil.which("openssl"):
        missing.append("openssl")
    if missing:
        pytest.skip("the deploy topology needs " + ", ".join(missing))
    topology = topology_module.Topology(tmp_path_factory.mktemp("topology"))
    try:
        topology.start()
        yield topology
    finally:
        topology.stop()


@pytest.fixture(scope="module")
def server(topology: Any, tmp_path_factory: pytest.TempPathFactory) -> Server:
    """The site as browsers reach it: nginx over HTTPS, trusting the throw-away certificate."""
    context = ssl.create_default_context(cafile=str(topology.certificate))
    data = tmp_path_factory.mktemp("clients")
    database_url = normalize_database_url(topology.database_url)  # read by the checks
    server = Server.behind(topology.url, database_url, data, context)
    server.env = topology.env()
    server.prepare()  # the facilitator account (migrate and seed again change nothing)
    return server


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


async def connections(topology: Any) -> list[int | None]:
    """Open websocket connections per serve process (None: the process is not running)."""
    counts: list[int | None] = []
    async with httpx.AsyncClient(timeout=5) as http:
        for web in topology.webs:
            if web.process is None or web.process.poll() is not None:
                counts.append(None)
                continue
            text = (await http.get(f"{web.url}/metrics")).text
            value = next(
                sample.value
                for family in text_string_to_metric_families(text)
                for sample in family.samples
                if sample.name == "werkplaats_websocket_connections"
            )
            counts.append(int(value))
    return counts


async def until(condition: Callable[[], Awaitable[bool]], what: str, seconds: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(
                f"timed out waiting for {what}; connections: {last_seen}; resumed: {why}"
            )
        await asyncio.sleep(0.1)


async def on_processes(topology: Any, expected: list[int | None]) -> bool:
    seen = await connections(topology)
    last_seen[:] = seen  # for the message when it never comes
    return seen == expected


last_seen: list[int | None] = []
why: list[str] = []  # why clients had to resume, for the message when something is off


async def acked_at_least(writers: list[Writer], count: int) -> bool:
    return all(len(writer.acked) >= count for writer in writers)


async def resume(client: Client) -> None:
    """What the workspace does when its connection drops: reconnect (through nginx) and resume
    from the last seq it has, retrying while no process answers."""
    await client.close()
    delay = 0.1
    for _ in range(60):
        try:
            await client.connect()
            return
        except Exception:  # no process answers yet (nginx: 502), or the handshake broke
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
    raise AssertionError(f"{client.participant} could not resume")


class Writer:
    """A participant writing notes as the workspace does: each command is sent until it is
    acknowledged, again with the same id after a resume or a `not_stored` error."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.acked: dict[str, list[int]] = {}
        self.resumes = 0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._write())

    async def stop(self) -> None:
        self._stop.set()
        assert self._task is not None
        await self._task

    async def _write(self) -> None:
        client = self.client
        n = 0
        while not self._stop.is_set():
            command_id = f"{client.participant}-{n}"
            while command_id not in self.acked:
                if client.closed_with is not None or client.socket is None:
                    why.append(f"{client.participant}: {client.closed_with} {client.failure!r}")
                    await resume(client)
                    self.resumes += 1
                try:
                    await client.send(type="note.add", id=command_id, text=f"briefje {n}")
                    await client.wait_for(
                        lambda c=command_id: (
                            c in client.acks
                            or any(e.get("id") == c for e in client.errors)
                            or client.closed_with is not None
                        ),
                        30,
                    )
                except Exception as error:  # the connection broke (or no answer in 30 s)
                    # Resume at once: looping on a send that fails without waiting would never
                    # let the reader see the close.
                    why.append(f"{client.participant}: {error!r}")
                    await resume(client)
                    self.resumes += 1
                    continue
                if command_id in client.acks:
                    self.acked[command_id] = client.acks[command_id]
                    break
                refused = [e for e in client.errors if e.get("id") == command_id]
                if refused:
                    assert refused[-1]["code"] == "not_stored", refused[-1]
                    client.errors = [e for e in client.errors if e.get("id") != command_id]
                    await asyncio.sleep(0.2)
            n += 1
            await asyncio.sleep(0.02)


async def join(server: Server, created: dict[str, Any], name: str) -> Client:
    """Join as a browser does: the workspace page first, then the websocket. The page matters
    here: nginx counts a process back up only when a request to it has finished, which a
    websocket does not until it closes."""
    public_id = str(created["session"])
    async with server.http() as http:
        page = await http.get(f"/s/{public_id}")
        assert page.status_code in (200, 303), page.status_code
    return await joined(server, created, name)


async def check_nothing_lost(server: Server, public_id: str, writers: list[Writer]) -> None:
    """Every acknowledged note is in the log, once, by its author; everyone converges."""
    log = await server.log(public_id)
    assert [event.seq for event in log] == list(range(1, len(log) + 1))  # gap-free
    by_seq = {event.seq: event for event in log}
    seen: set[int] = set()
    for writer in writers:
        assert writer.acked, f"{writer.client.participant} got nothing acknowledged"
        for command_id, seqs in writer.acked.items():
            for seq in seqs:
                assert seq in by_seq, f"acknowledged {command_id} (seq {seq}) was lost"
                assert by_seq[seq].actor == writer.client.participant
                assert seq not in seen, f"seq {seq} acknowledged twice"
                seen.add(seq)
    notes = sum(1 for event in log if type(event.body).__name__ == "NoteAdded")
    assert notes == sum(len(writer.acked) for writer in writers), "a retried note was doubled"
    for writer in writers:
        client = writer.client
        await client.wait_for(lambda client=client: client.last_seq == log[-1].seq, 30)
        assert same(client.state, await expected_state(server, public_id, client.participant))


async def test_a_session_survives_its_processes_stopping_through_nginx(
    topology: Any, server: Server
) -> None:
    created = await server.create_session()
    public_id = str(created["session"])
    first = [await join(server, created, f"Deelnemer {n}") for n in range(3)]
    # nginx hashes on the session: all three land on one process.
    counts = await connections(topology)
    assert sorted(counts, key=str) == [0, 3], counts
    home = counts.index(3)
    other = 1 - home
    writers = [Writer(client) for client in first]
    for writer in writers:
        writer.start()
    await until(lambda: acked_at_least(writers, 5), "notes before the stop")

    # SIGTERM: the process stops accepting, closes its websockets, lets the app finish, and
    # ends by the signal (uvicorn raises it again once shut down, for whoever watches).
    assert topology.stop_web(home) == -signal.SIGTERM
    assert "Application shutdown complete" in topology.webs[home].log.read_text()
    at_other: list[int | None] = [None, None]
    at_other[other] = 3
    await until(lambda: on_processes(topology, at_other), "everyone resumed on the other")
    assert all(writer.resumes >= 1 for writer in writers)
    await until(lambda: acked_at_least(writers, 10), "notes after the stop")

    # The process comes back; once nginx tries it again, newcomers hash to it while the
    # resumed three stay where they are: one session, clients on both processes.
    topology.start_web(home)
    await asyncio.sleep(FAIL_TIMEOUT + 1)
    second = [await join(server, created, f"Nieuw {n}") for n in range(2)]
    spread: list[int | None] = [None, None]
    spread[home], spread[other] = 2, 3
    await until(lambda: on_processes(topology, spread), "2 on one process, 3 on the other")
    newcomers = [Writer(client) for client in second]
    for writer in newcomers:
        writer.start()
    await until(lambda: acked_at_least(writers, 15), "notes across processes")
    writers += newcomers

    # SIGKILL of the process the first three are on: no goodbye, they resume on the other.
    topology.stop_web(other, kill=True)
    at_home: list[int | None] = [None, None]
    at_home[home] = 5
    await until(lambda: on_processes(topology, at_home), "everyone on the one left")
    await until(lambda: acked_at_least(writers[:3], 25), "notes after the kill")
    for writer in writers:
        await writer.stop()
    topology.start_web(other)

    # Converging to the log means the notes written on one process reached the clients of the
    # other (the PostgreSQL bus).
    await check_nothing_lost(server, public_id, writers)


async def test_postgresql_restarting_mid_session_loses_nothing(
    topology: Any, server: Server
) -> None:
    created = await server.create_session()
    public_id = str(created["session"])
    writers = [Writer(await join(server, created, f"Deelnemer {n}")) for n in range(3)]
    for writer in writers:
        writer.start()
    await until(lambda: acked_at_least(writers, 5), "notes before the restart")
    logged_before = [len(web.log.read_text().splitlines()) for web in topology.webs]

    topology.restart_postgres(down_for=2.0)
    # The processes reconnect by themselves; writing goes on, nothing acknowledged is lost.
    await until(lambda: acked_at_least(writers, 15), "notes after the restart", 60)
    for writer in writers:
        await writer.stop()
    assert all(web.process.poll() is None for web in topology.webs), "a process died"
    async with httpx.AsyncClient(timeout=5) as http:
        for web in topology.webs:
            assert (await http.get(f"{web.url}/healthz")).status_code == 200
    await check_nothing_lost(server, public_id, writers)
    # Each process said so in its log (structured lines), rather than retrying silently.
    for web, skip in zip(topology.webs, logged_before, strict=True):
        lines = web.log.read_text().splitlines()[skip:]
        entries = [json.loads(line) for line in lines if line.startswith("{")]
        assert any(e["level"] in ("WARNING", "ERROR") for e in entries), lines[-20:]
