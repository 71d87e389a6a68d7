"""Presence: who is connected right now, against real server processes on loopback ports."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from server.bus.memory import MemoryBus
from server.settings import Settings, SettingsError
from sessions.bus_messages import PresenceChunk, decode_presence
from sessions.engine import SessionEngine
from sessions.fanout import Connection
from sessions.runtime import assemble
from tests.conftest import (
    POSTGRES_URL,
    SKIP_POSTGRES,
    create_postgres_database,
    drop_postgres_database,
)
from tests.sessions.live import Client, Server, facilitator, running


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


async def _joined(
    server: Server, created: dict[str, object], name: str, address: str = "127.0.0.1"
) -> Client:
    # One address adds at most 60 participants to a session (sessions/joins.py): a crowd comes
    # from several (uvicorn takes X-Forwarded-For from loopback). A burst of 200 joins is
    # written one after another: the last waits a while (server.http() is patient).
    async with server.http() as http:
        answer = await http.post(
            f"/api/sessions/{created['join_code']}/join",
            json={"name": name},
            headers={"X-Forwarded-For": address},
        )
    assert answer.status_code == 201, answer.text
    data = answer.json()
    return Client(server, str(created["session"]), data["participant"], data["token"])


async def test_the_presence_list_comes_right_after_the_welcome(server: Server) -> None:
    created = await server.create_session()
    fa = await facilitator(server, created)
    await fa.wait_for(lambda: fa.online is not None)
    assert fa.kinds[:2] == ["welcome", "presence"]
    assert fa.online == [fa.participant]
    # A resume gets it too, between the welcome and the missed events.
    anna = await _joined(server, created, "Anna")
    await anna.connect()
    await anna.do("a1", "note.add", text="eerste")
    await anna.close()
    await fa.do("f1", "chat.post", text="terwijl Anna weg is")
    anna.kinds.clear()
    await anna.connect()
    assert anna.welcome["resume_from"] > 0
    await anna.wait_for(lambda: anna.last_seq == fa.last_seq)
    assert anna.kinds[:3] == ["welcome", "presence", "events"]
    assert anna.online == sorted([fa.participant, anna.participant])


async def test_others_see_someone_come_and_go(server: Server) -> None:
    created = await server.create_session()
    fa = await facilitator(server, created)
    anna = await _joined(server, created, "Anna")
    both = sorted([fa.participant, anna.participant])
    await anna.connect()
    await fa.wait_for(lambda: fa.online == both)
    # A second tab of Anna's: closing one leaves her online.
    tab = Client(server, anna.public_id, anna.participant, anna.token)
    await tab.connect()
    await tab.close()
    await asyncio.sleep(1.2)  # two flushes' time: nothing may say she left
    assert fa.online == both
    assert all(anna.participant in online for online in fa.presences[1:])
    await anna.close()
    await fa.wait_for(lambda: fa.online == [fa.participant])


async def test_a_burst_of_joins_gives_a_few_presence_frames(server: Server) -> None:
    created = await server.create_session(max_participants=200)
    fa = await facilitator(server, created)
    await fa.wait_for(lambda: fa.online == [fa.participant])
    people = await asyncio.gather(
        *(_joined(server, created, f"D{n}", f"10.0.{n // 50}.{n % 50 + 1}") for n in range(200))
    )
    before = len(fa.presences)
    started = time.monotonic()
    await asyncio.gather(*(person.connect() for person in people))
    everyone = sorted([fa.participant, *(person.participant for person in people)])
    await fa.wait_for(lambda: fa.online == everyone, seconds=30)
    took = time.monotonic() - started
    frames = len(fa.presences) - before
    # At most about two a second, plus the first and last edges.
    assert 1 <= frames <= 2 * took + 3, (frames, took)
    # Everyone converges on the same list, and the last to arrive got it whole at once.
    for person in people:
        await person.wait_for(lambda person=person: person.online == everyone, seconds=30)


async def test_a_removed_participant_drops_out(server: Server) -> None:
    created = await server.create_session()
    fa = await facilitator(server, created)
    anna = await _joined(server, created, "Anna")
    bram = await _joined(server, created, "Bram")
    await anna.connect()
    await bram.connect()
    everyone = sorted([fa.participant, anna.participant, bram.participant])
    await fa.wait_for(lambda: fa.online == everyone)
    await fa.do("rm", "participant.remove", participant=anna.participant)
    await anna.wait_for(lambda: anna.closed_with is not None)
    after = sorted([fa.participant, bram.participant])
    await fa.wait_for(lambda: fa.online == after)
    await bram.wait_for(lambda: bram.online == after)


# Two processes on one PostgreSQL ------------------------------------------------------------


@pytest.mark.postgres
async def test_two_processes_share_presence_and_a_killed_one_expires(tmp_path: Path) -> None:
    if not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    database_url = await create_postgres_database()
    try:
        await _two_processes(database_url, tmp_path)
    finally:
        await drop_postgres_database(database_url)


async def _two_processes(database_url: str, tmp_path: Path) -> None:
    # Short intervals: announcements every 0.5 s, a silent process forgotten after 1.5 s.
    env = {"WERKPLAATS_BUS_URL": "postgres://", "WERKPLAATS_PRESENCE_INTERVAL": "0.5"}
    first = Server(database_url, tmp_path, env)
    first.prepare()
    second = Server(database_url, tmp_path, env)
    with running(first):
        created = await first.create_session()
        fa = await facilitator(first, created)
        anna = await _joined(first, created, "Anna")
        await anna.connect()
        second.start()
        try:
            # The second process starts following the session when Bram connects to it: it
            # asks the first, so Bram sees the people of both.
            bram = await _joined(second, created, "Bram")
            cas = await _joined(second, created, "Cas")
            await bram.connect()
            await cas.connect()
            everyone = sorted(c.participant for c in (fa, anna, bram, cas))
            for client in (fa, anna, bram, cas):
                await client.wait_for(lambda client=client: client.online == everyone)
            # Leaving one process is seen on the other.
            await cas.close()
            without_cas = sorted(c.participant for c in (fa, anna, bram))
            await fa.wait_for(lambda: fa.online == without_cas)
            await anna.close()
            await bram.wait_for(lambda: bram.online == sorted([fa.participant, bram.participant]))
            await anna.connect()
            await bram.wait_for(lambda: bram.online == without_cas)
        finally:
            second.stop(kill=True)  # SIGKILL: it cannot say goodbye
        killed_at = time.monotonic()
        await fa.wait_for(
            lambda: fa.online == sorted([fa.participant, anna.participant]), seconds=15
        )
        # Gone after three silent intervals (1.5 s), noticed within one more (0.5 s).
        assert time.monotonic() - killed_at < 5


# The bookkeeping, in one process: two fan-outs with their presence on one memory bus stand for
# two processes ---


class _Socket:
    """Enough of a websocket for the fan-out: frames stay in the connection's queue."""

    async def send_text(self, text: str) -> None:
        pass

    async def close(self, code: int = 1000, reason: str = "") -> None:
        pass


_known: dict[int, set[str]] = {}  # id(connection) -> who its presence frames said is online


def _online(connection: Connection) -> list[str] | None:
    """Who the presence frames queued for a connection say is online now, folded as a client
    folds them (taking everything off its queue); None when none came since the last call."""
    changed = False
    while not connection.queue.empty():
        is_event, data = connection.queue.get_nowait()
        message = json.loads(data)
        if not is_event and message["type"] == "presence":
            changed = True
            if "online" in message:
                _known[id(connection)] = set(message["online"])
            else:
                known = _known.setdefault(id(connection), set())
                known.update(message["joined"])
                known.difference_update(message["left"])
    return sorted(_known[id(connection)]) if changed else None


async def _until(condition: Callable[[], bool], seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_large_sets_travel_in_chunks_and_a_silent_process_expires() -> None:
    bus = MemoryBus()
    await bus.connect()
    first = assemble(SessionEngine(None), bus, presence_interval=0.05, presence_throttle=0.01)  # type: ignore[arg-type]
    second = assemble(SessionEngine(None), bus, presence_interval=0.05, presence_throttle=0.01)  # type: ignore[arg-type]
    try:
        # 700 ids of 13 characters do not fit one payload (7,000 bytes a chunk).
        crowd = [f"p{n:012d}" for n in range(700)]
        for participant in crowd:
            connection = Connection(_Socket(), participant)  # type: ignore[arg-type]
            first.fanout.add(1, connection)
            first.presence.greet(1, connection)
        watcher = Connection(_Socket(), "u1")  # type: ignore[arg-type]
        second.fanout.add(1, watcher)
        second.presence.greet(1, watcher)
        last: list[str] | None = None

        def online() -> list[str] | None:
            nonlocal last
            last = _online(watcher) or last
            return last

        await _until(lambda: online() == sorted([*crowd, "u1"]))
        # The first "process" dies: it neither announces nor answers any more.
        first.presence._publish = lambda session_id, payload: None  # type: ignore[method-assign]
        died = time.monotonic()
        await _until(lambda: online() == ["u1"])
        assert time.monotonic() - died < 2  # three intervals of 0.05 s, and a flush
    finally:
        await first.close()
        await second.close()
        await bus.disconnect()


def _chunk(payload: str) -> PresenceChunk:
    """A presence chunk as another process published it (sessions/bus_messages.py)."""
    message = decode_presence(payload)
    assert isinstance(message, PresenceChunk)
    return message


async def test_an_overtaken_announcement_is_ignored() -> None:
    bus = MemoryBus()
    await bus.connect()
    live = assemble(SessionEngine(None), bus, presence_throttle=0.01)  # type: ignore[arg-type]
    try:
        watcher = Connection(_Socket(), "u1")  # type: ignore[arg-type]
        live.fanout.add(1, watcher)
        live.presence.greet(1, watcher)
        live.presence._heard(1, _chunk("other|5|0|1|pA pB"))
        live.presence._heard(
            1, _chunk("other|4|0|1|pA pB pC")
        )  # older: published earlier, arrived later
        live.presence._heard(1, _chunk("other|6|1|2|pD"))  # half of a newer one: not applied yet
        await asyncio.sleep(0.05)
        assert _online(watcher) == ["pA", "pB", "u1"]
        live.presence._heard(1, _chunk("other|6|0|2|pA"))
        await asyncio.sleep(0.05)
        assert _online(watcher) == ["pA", "pD", "u1"]
        live.presence._heard(1, _chunk("other|7|0|1|"))  # the other process has nobody left
        await asyncio.sleep(0.05)
        assert _online(watcher) == ["u1"]
    finally:
        await live.close()
        await bus.disconnect()


def test_the_presence_interval_is_a_setting(tmp_path: Path) -> None:
    env = {"WERKPLAATS_DATA_DIR": str(tmp_path)}
    assert Settings.from_env(env).presence_interval == 30
    short = Settings.from_env({**env, "WERKPLAATS_PRESENCE_INTERVAL": "0.5"})
    assert short.presence_interval == 0.5
    for wrong in ("0", "-1", "nan", "soms", "86400"):
        with pytest.raises(SettingsError, match=r"allowed: a number of seconds from 0\.1 to 3600"):
            Settings.from_env({**env, "WERKPLAATS_PRESENCE_INTERVAL": wrong})


async def test_a_watcher_receives_bytes_linear_in_the_joins() -> None:
    """Each change reaches a watcher once (its id in `joined` or `left`), not the whole list
    again with every flush: bytes grow with the joins, not with their square."""
    bus = MemoryBus()
    await bus.connect()
    live = assemble(
        SessionEngine(None),  # type: ignore[arg-type]
        bus,
        presence_throttle=0.001,
        presence_throttle_per_connection=0.0,
    )
    try:
        watcher = Connection(_Socket(), "u1")  # type: ignore[arg-type]
        live.fanout.add(1, watcher)
        live.presence.greet(1, watcher)
        assert _online(watcher) == ["u1"]
        frames: list[bytes] = []

        def take() -> None:
            while not watcher.queue.empty():
                frames.append(watcher.queue.get_nowait()[1])

        crowd = [f"p{n:012d}" for n in range(300)]
        connections = []
        for start in range(0, len(crowd), 10):  # joins in small bursts, flushed in between
            for participant in crowd[start : start + 10]:
                connection = Connection(_Socket(), participant)  # type: ignore[arg-type]
                connections.append(connection)
                live.fanout.add(1, connection)
                live.presence.greet(1, connection)
            await _until(lambda: not watcher.queue.empty())
            take()
        for connection in connections[:100]:
            live.fanout.remove(1, connection)
        await _until(lambda: not watcher.queue.empty())
        await asyncio.sleep(0.02)
        take()
        changes = len(crowd) + 100
        id_bytes = len(crowd[0]) + 3  # "id", in a list
        frame_bytes = len(b'{"type":"presence","joined":[],"left":[]}')
        assert 2 <= len(frames) <= changes
        assert sum(map(len, frames)) <= changes * id_bytes + len(frames) * frame_bytes
        # And folded, they say exactly who is online.
        for frame in frames:
            watcher.queue.put_nowait((0, frame))
        assert _online(watcher) == sorted(["u1", *crowd[100:]])
        # Someone connecting now gets the whole list at once.
        late = Connection(_Socket(), "u2")  # type: ignore[arg-type]
        live.fanout.add(1, late)
        live.presence.greet(1, late)
        assert _online(late) == sorted(["u1", "u2", *crowd[100:]])
    finally:
        await live.close()
        await bus.disconnect()
