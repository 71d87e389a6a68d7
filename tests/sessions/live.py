"""Helpers for live-session tests: a real server process, and a websocket client that folds
what it receives exactly as a browser would."""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import httpx
import msgspec
import pytest
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect

from server.db import create_engine, sessionmaker
from sessions import events as ev
from sessions.models import LiveSession, SessionEvent
from sessions.state import State, apply, fold
from sessions.views import project
from tests.conftest import (
    POSTGRES_URL,
    SKIP_POSTGRES,
    create_postgres_database,
    drop_postgres_database,
)
from tests.helpers import PASSWORD
from tests.ports import free_port
from tests.server.test_cli import WERKPLAATS


class _EventsFrame(msgspec.Struct):
    type: str
    events: list[ev.Event]


_events_decoder = msgspec.json.Decoder(_EventsFrame)

# How long a test's HTTP client waits for a live server's answer (httpx's default is 5 s). The
# tests assert what is answered, not how fast: on a loaded machine a page waits now and then for
# the sharing gate's model that the server is still loading (1.7 s at a load of 6 on two cores).
PATIENT = httpx.Timeout(60)
# How long a client waits for what a server round trip brings (an ack, an event, a welcome).
# The slowest of some 4,000 waits at a load of 6 on two cores took 2.3 s; the 10 s this was
# left a rare stall on CI (a commit waiting for the disk, a collection) too little room.
PATIENCE_SECONDS = 30.0


class Server:
    """`werkplaats serve` on a loopback port, with a migrated, seeded database."""

    # Trusts the certificate of an HTTPS front (nginx in tests/deploy); None: plain HTTP.
    ssl_context: ssl.SSLContext | None = None

    def __init__(self, database_url: str, data_dir: Path, extra_env: dict[str, str] | None = None):
        self.env = {
            **os.environ,
            "WERKPLAATS_DATABASE_URL": database_url,
            "WERKPLAATS_DATA_DIR": str(data_dir),
            **(extra_env or {}),
        }
        self.database_url = database_url
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / f"server-{self.port}.log"

    @classmethod
    def behind(
        cls, url: str, database_url: str, data_dir: Path, ssl_context: ssl.SSLContext
    ) -> Server:
        """Processes that run elsewhere (deploy/topology), reached through `url`."""
        server = cls(database_url, data_dir)
        server.url = url
        server.ssl_context = ssl_context
        return server

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.url, verify=self.ssl_context or True, timeout=PATIENT
        )

    def prepare(self) -> None:
        for command in (["migrate"], ["seed"]):
            subprocess.run([WERKPLAATS, *command], env=self.env, check=True, capture_output=True)
        self.add_account("fa@example.org", "Fenna", "facilitator")

    def add_account(self, email: str, name: str, role: str) -> None:
        """An account with one role and the tests' PASSWORD, made as an administrator does."""
        subprocess.run(
            [
                *(WERKPLAATS, "createuser", "--password-stdin"),
                *("--email", email, "--name", name, "--role", role),
            ],
            env=self.env,
            input=PASSWORD.encode() + b"\n",
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the handle
            self.process = subprocess.Popen(
                [WERKPLAATS, "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, self.log_path.read_text()
            time.sleep(0.05)
        raise AssertionError("server did not start")

    def stop(self, kill: bool = False) -> None:
        if self.process is None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        self.process.wait(timeout=15)
        self.process = None

    async def facilitator(self) -> httpx.AsyncClient:
        """An HTTP client logged in as the facilitator account."""
        client = self.http()
        page = await client.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        response = await client.post(
            "/login",
            data={"email": "fa@example.org", "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 303, response.text
        return client

    async def create_session(self, **body: Any) -> dict[str, Any]:
        client = await self.facilitator()
        try:
            response = await client.post(
                "/api/sessions", json={"title": "Intervisie", "variant": "intervisie", **body}
            )
        finally:
            await client.aclose()
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def join(self, code: str, name: str, location: str | None = None) -> httpx.Response:
        body: dict[str, Any] = {"name": name}
        if location is not None:
            body["location"] = location
        async with self.http() as client:
            return await client.post(f"/api/sessions/{code}/join", json=body)

    async def log(self, public_id: str) -> list[ev.Event]:
        """The session's event log, read straight from the database."""
        engine = create_engine(self.database_url)
        try:
            async with sessionmaker(engine)() as db:
                session_id = await db.scalar(
                    select(LiveSession.id).where(LiveSession.public_id == public_id)
                )
                rows = await db.scalars(
                    select(SessionEvent)
                    .where(SessionEvent.session_id == session_id)
                    .order_by(SessionEvent.seq)
                )
                return [
                    ev.Event(r.seq, r.actor, r.at, msgspec.json.decode(r.body, type=ev.EventBody))
                    for r in rows
                ]
        finally:
            await engine.dispose()


@contextmanager
def running(server: Server) -> Iterator[Server]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Client:
    """A websocket client that keeps its own state by folding what it receives."""

    connected: ClassVar[set[Client]] = set()  # closed by the tests' teardown, whatever happened

    def __init__(self, server: Server, public_id: str, participant: str, token: str):
        self.server = server
        self.public_id = public_id
        self.participant = participant
        self.token = token
        self.state = State()
        self.last_seq = 0
        self.acks: dict[str, list[int]] = {}
        self.errors: list[dict[str, Any]] = []
        self.signals: list[dict[str, Any]] = []
        self.presences: list[list[str]] = []  # every presence frame's list, in order
        self.kinds: list[str] = []  # the type of every frame received, in order
        self.welcome: dict[str, Any] = {}
        self.socket: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self.closed_with: int | None = None
        self.failure: Exception | None = None

    async def connect(self, origin: str | None = None) -> None:
        headers = {"Origin": origin} if origin else {}
        url = self.server.url.replace("http", "ws") + f"/ws/sessions/{self.public_id}"
        # No keepalive pings: a test process folding for fifty clients may answer late.
        self.socket = await connect(
            url,
            additional_headers=headers,
            max_size=2**24,
            ping_interval=None,
            ssl=self.server.ssl_context,
        )
        await self.socket.send(
            json.dumps({"type": "hello", "token": self.token, "last_seq": self.last_seq})
        )
        self.closed_with = None
        Client.connected.add(self)
        self._reader = asyncio.get_running_loop().create_task(self._read())
        await self.wait_for(
            lambda: self.welcome.get("_fresh") is True or self.closed_with is not None
        )
        assert self.welcome.get("_fresh") is True, (
            f"no welcome: closed with {self.closed_with}; errors: {self.errors}"
        )

    async def _read(self) -> None:
        assert self.socket is not None
        try:
            async for frame in self.socket:
                if frame.startswith('{"type":"events"'):
                    self.kinds.append("events")
                    self._apply(_events_decoder.decode(frame).events)
                else:
                    self._handle(json.loads(frame))
                self._changed.set()
        except Exception as error:  # the connection went away; `closed_with` tells how
            self.failure = error
        finally:
            self.closed_with = self.socket.close_code
            self._changed.set()

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        self.kinds.append(kind)
        if kind == "welcome":
            self.welcome = {**message, "_fresh": True}
            if "state" in message:
                self.state = msgspec.convert(message["state"], type=State)
                self.last_seq = message["seq"]
        elif kind == "ack":
            self.acks[message["id"]] = message["seqs"]
        elif kind == "error":
            self.errors.append(message)
        elif kind == "signal":
            self.signals.append(message)
        elif kind == "presence":  # the whole list, or what changed since the last frame
            if "online" in message:
                self.presences.append(message["online"])
            else:
                known = set(self.presences[-1] if self.presences else ())
                known.update(message["joined"])
                known.difference_update(message["left"])
                self.presences.append(sorted(known))

    @property
    def online(self) -> list[str] | None:
        """Who the last presence frame said is connected (None before the first)."""
        return self.presences[-1] if self.presences else None

    def _apply(self, events: list[ev.Event]) -> None:
        for event in events:
            assert event.seq == self.last_seq + 1, (event.seq, self.last_seq)
            apply(self.state, event)
            self.last_seq = event.seq

    async def wait_for(self, condition: Any, seconds: float = PATIENCE_SECONDS) -> None:
        deadline = asyncio.get_running_loop().time() + seconds
        while not condition():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"timed out; errors: {self.errors}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                pass

    async def send(self, **message: Any) -> None:
        assert self.socket is not None
        await self.socket.send(json.dumps(message))

    async def do(self, command_id: str, kind: str, **fields: Any) -> list[int]:
        """Send a command and wait for its ack (or raise with the error)."""
        await self.send(type=kind, id=command_id, **fields)
        await self.wait_for(
            lambda: command_id in self.acks or any(e.get("id") == command_id for e in self.errors)
        )
        if command_id not in self.acks:
            error = next(e for e in self.errors if e.get("id") == command_id)
            raise AssertionError(f"{kind} refused: {error}")
        return self.acks[command_id]

    async def refused(self, command_id: str, kind: str, **fields: Any) -> str:
        await self.send(type=kind, id=command_id, **fields)
        await self.wait_for(
            lambda: any(e.get("id") == command_id for e in self.errors) or command_id in self.acks
        )
        assert command_id not in self.acks, f"{kind} was accepted"
        return str(next(e for e in self.errors if e.get("id") == command_id)["code"])

    async def close(self) -> None:
        Client.connected.discard(self)
        if self.socket is not None:
            await self.socket.close()
        if self._reader is not None:
            await self._reader
        self.welcome = {}

    @classmethod
    async def close_all(cls) -> None:
        for client in list(cls.connected):
            await client.close()


async def facilitator(server: Server, created: dict[str, Any]) -> Client:
    """The facilitator of the created session, connected."""
    client = Client(
        server, str(created["session"]), str(created["participant"]), str(created["token"])
    )
    await client.connect()
    return client


async def joined(server: Server, created: dict[str, Any], name: str) -> Client:
    """A participant who joined the created session by its code and connected."""
    answer = await server.join(str(created["join_code"]), name)
    assert answer.status_code == 201, answer.text
    data = answer.json()
    client = Client(server, str(created["session"]), data["participant"], data["token"])
    await client.connect()
    return client


async def expected_state(server: Server, public_id: str, reader: str) -> State:
    """What the reader must have: the projection of the fold of the whole log."""
    return project(fold(await server.log(public_id)), reader)


def same(a: State, b: State) -> bool:
    return msgspec.to_builtins(a) == msgspec.to_builtins(b)


# Both databases, for module-scoped server fixtures (`params=BACKENDS`).
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def prepared_server(backend: str, data: Path) -> Iterator[Server]:
    """A server whose database (SQLite in `data`, or a throw-away PostgreSQL database, dropped
    afterwards) is migrated and seeded, not yet running; PostgreSQL is skipped, visibly, when
    no test server is configured."""
    if backend == "postgres" and not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{data / 'werkplaats.sqlite3'}"
    else:
        url = asyncio.run(create_postgres_database())
    server = Server(url, data)
    try:
        server.prepare()
        yield server
    finally:
        if backend == "postgres":
            asyncio.run(drop_postgres_database(url))
