"""Participants of the deploy topology's tests, as the workspace behaves, and the faults put
to them."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import httpx
from prometheus_client.parser import text_string_to_metric_families

from server.settings import DEFAULT_MAX_BODY_BYTES
from tests.sessions.live import Client, Server, expected_state, same

ROOT = Path(__file__).resolve().parents[2]
# Issue 14's acceptance bound: after each fault every participant is back (a note of theirs
# acknowledged) within this many seconds. A bound on the outcome, not a speed claim.
BACK_WITHIN = 10.0
PARTICIPANTS = 20
# What the workspace does after its socket closes (sessions/client/connection.js):
# wait BACKOFF_FIRST x 2^attempt, +-20 %, at most BACKOFF_MAX, then open a new websocket; the
# attempt count starts again at a welcome. These close codes end it for good.
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 15.0
FATAL_CLOSES = {4001, 4004, 4005}
# The app's body limit, which the site repeats (client_max_body_size).
MAX_BODY = DEFAULT_MAX_BODY_BYTES


# --- where the clients are ------------------------------------------------------------------


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


async def until_on_processes(topology: Any, expected: list[int | None], what: str) -> None:
    seen: list[int | None] = []
    for _ in range(300):
        seen = await connections(topology)
        if seen == expected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what}: connections per process {seen}, expected {expected}")


# --- a participant, as the workspace behaves ---------------------------------------------------


class Tab:
    """One participant's workspace tab: one websocket, reconnected after a close exactly as
    the workspace does it (backoff, websocket only), and notes sent as its outbox sends them:
    again with the same id after a reconnect, and a second after a `not_stored` error."""

    open: ClassVar[set[Tab]] = set()

    def __init__(self, client: Client) -> None:
        self.client = client
        self.acked: dict[str, list[int]] = {}
        self.generation = 0  # one more at every welcome after a reconnect
        self.refused: list[str] = []  # why reconnect attempts failed (nginx's 502, ...)
        self.fatal: int | None = None
        self._keeper = asyncio.get_running_loop().create_task(self._keep_connected())
        Tab.open.add(self)

    @property
    def participant(self) -> str:
        return self.client.participant

    async def _keep_connected(self) -> None:
        client = self.client
        while True:
            await client.wait_for(lambda: client.closed_with is not None, 24 * 3600)
            if client.closed_with in FATAL_CLOSES:
                self.fatal = client.closed_with
                return
            attempt = 0
            while True:
                base = min(BACKOFF_MAX, BACKOFF_FIRST * 2**attempt)
                attempt += 1
                await asyncio.sleep(base * random.uniform(0.8, 1.2))
                await client.close()  # the old socket is gone; forget its welcome
                try:
                    await client.connect()
                except Exception as error:  # no process answers (502), or no welcome
                    self.refused.append(_reason(error))
                    continue
                self.generation += 1
                break

    async def _reconnected(self, generation: int, seconds: float = 60) -> None:
        deadline = asyncio.get_running_loop().time() + seconds
        while self.generation <= generation:
            if self.fatal is not None:
                raise AssertionError(f"{self.participant} was closed with {self.fatal}")
            if self._keeper.done() or asyncio.get_running_loop().time() > deadline:
                raise AssertionError(
                    f"{self.participant} did not reconnect; closed with "
                    f"{self.client.closed_with}, attempts refused: {self.refused[-3:]}, "
                    f"keeper: {self._keeper}"
                )
            await asyncio.sleep(0.02)

    async def write(self, command_id: str, text: str) -> float:
        """Add a note until it is acknowledged; the loop time of its acknowledgement."""
        client = self.client
        while True:
            generation = self.generation
            if client.socket is None or client.closed_with is not None or not client.welcome:
                await self._reconnected(generation)
                continue
            try:
                await client.send(type="note.add", id=command_id, text=text)
            except Exception:  # the socket is closing; the keeper reconnects
                await self._reconnected(generation)
                continue
            await client.wait_for(
                lambda: (
                    command_id in client.acks
                    or any(e.get("id") == command_id for e in client.errors)
                    or client.closed_with is not None
                ),
                30,
            )
            if command_id in client.acks:
                self.acked[command_id] = client.acks[command_id]
                return asyncio.get_running_loop().time()
            refused = [e for e in client.errors if e.get("id") == command_id]
            if refused:
                assert refused[-1]["code"] == "not_stored", refused[-1]
                client.errors = [e for e in client.errors if e.get("id") != command_id]
                await asyncio.sleep(1.0)
                continue
            await self._reconnected(generation)

    async def close(self) -> None:
        Tab.open.discard(self)
        self._keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):  # how it ended is moot
            await self._keeper
        try:
            await asyncio.wait_for(self.client.close(), 15)
        except TimeoutError:
            # websockets waits for the TLS transport to report the connection lost after
            # aborting it, which Python 3.11's SSL transport now and then never does; this
            # connection is done with either way.
            reader = self.client._reader
            if reader is not None:
                reader.cancel()

    @classmethod
    async def close_all(cls) -> None:
        await asyncio.gather(*(tab.close() for tab in list(cls.open)))


def _reason(error: Exception) -> str:
    """Why a reconnect failed, short: nginx's status, or the exception's type."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return f"HTTP {status}" if status is not None else type(error).__name__


async def open_tabs(server: Server, created: dict[str, Any], count: int, name: str) -> list[Tab]:
    """Participants who joined by the code (the API, as the join form does) and connected."""
    tabs = []
    for n in range(count):
        answer = await server.join(str(created["join_code"]), f"{name} {n}")
        assert answer.status_code == 201, answer.text
        data = answer.json()
        client = Client(server, str(created["session"]), data["participant"], data["token"])
        await client.connect()
        tabs.append(Tab(client))
    return tabs


async def write_all(tabs: list[Tab], label: str) -> list[float]:
    return list(
        await asyncio.gather(*(tab.write(f"{tab.participant}-{label}", label) for tab in tabs))
    )


async def fault(
    tabs: list[Tab],
    label: str,
    cause: Callable[[], object],
    then: Callable[[], object] | None = None,
) -> object:
    """Cause a fault (in a thread: the clients go on meanwhile), then have every participant
    add a note and require all of them acknowledged within BACK_WITHIN of the fault's start.
    `then` (a restart) runs while they come back. What `cause` returned."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    result = await asyncio.to_thread(cause)
    after = asyncio.create_task(asyncio.to_thread(then)) if then is not None else None
    writes = {
        asyncio.create_task(tab.write(f"{tab.participant}-{label}", label)): tab for tab in tabs
    }
    done, pending = await asyncio.wait(
        writes, timeout=max(0.0, started + BACK_WITHIN - loop.time())
    )
    for task in pending:
        task.cancel()
    if after is not None:
        await after
    late = [writes[task] for task in pending]
    for task in done:
        task.result()  # an assertion inside a writer is the real failure
    assert not late, (
        f"{label}: {len(tabs) - len(late)} of {len(tabs)} participants were back within "
        f"{BACK_WITHIN:.0f} s; the others' reconnects were refused: "
        f"{sorted({why for tab in late for why in tab.refused})}"
    )
    return result


async def check_nothing_lost(server: Server, public_id: str, tabs: list[Tab]) -> None:
    """Every acknowledged note is in the log, once, by its author; everyone converges."""
    log = await server.log(public_id)
    assert [event.seq for event in log] == list(range(1, len(log) + 1))  # gap-free
    by_seq = {event.seq: event for event in log}
    seen: set[int] = set()
    for tab in tabs:
        assert tab.acked, f"{tab.participant} got nothing acknowledged"
        for command_id, seqs in tab.acked.items():
            for seq in seqs:
                assert seq in by_seq, f"acknowledged {command_id} (seq {seq}) was lost"
                assert by_seq[seq].actor == tab.participant
                assert seq not in seen, f"seq {seq} acknowledged twice"
                seen.add(seq)
    notes = sum(1 for event in log if type(event.body).__name__ == "NoteAdded")
    assert notes == sum(len(tab.acked) for tab in tabs), "a retried note was doubled"
    for tab in tabs:
        client = tab.client
        await client.wait_for(lambda client=client: client.last_seq == log[-1].seq, 30)
        assert same(client.state, await expected_state(server, public_id, client.participant))
