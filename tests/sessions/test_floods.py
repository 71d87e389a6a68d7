"""Floods from one participant (issue 14), against a real server process: a flood of signals or
of commands from one participant must not stall the process nor cost anyone else anything.

The budgets are sessions/flood.py's; bounds are formulas in the numbers sent and the time they
took to send (no assertion on how fast anything is)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from server.settings import Settings, SettingsError
from sessions import events as ev
from sessions import flood
from tests.sessions.live import Client, Server, facilitator, joined, running
from tests.sessions.test_metrics import scrape


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


async def _flood(client: Client, frame: str, count: int) -> int:
    """Send `frame` `count` times as fast as the socket takes them; how many went out."""
    assert client.socket is not None
    for sent in range(count):
        try:
            await client.socket.send(frame)
        except ConnectionClosed:
            return sent
        if sent % 1000 == 0:
            await asyncio.sleep(0)  # let the others in this test process read
    return count


async def test_a_signal_flood_costs_the_others_nothing(server: Server) -> None:
    created = await server.create_session()
    fa = await facilitator(server, created)
    anna = await joined(server, created, "Anna")
    bram = await joined(server, created, "Bram")
    browser_form = json.dumps({"type": "signal", "kind": "pointer", "x": 0.5, "y": 0.5})
    browser_form = browser_form.replace(" ", "")  # as JSON.stringify writes it
    other_form = json.dumps({"kind": "typing", "type": "signal"})  # decoded before it is seen

    async def meanwhile() -> None:
        await asyncio.sleep(0.2)
        async with httpx.AsyncClient(base_url=server.url, timeout=5) as http:
            assert (await http.get("/healthz")).status_code == 200
        await bram.do("b1", "chat.post", text="ik ben er nog")

    started = time.monotonic()
    sent, _ = await asyncio.gather(_flood(anna, browser_form, 100_000), meanwhile())
    other = await _flood(anna, other_form, 5_000) if anna.closed_with is None else 0
    took = time.monotonic() - started
    await fa.do("f1", "chat.post", text="klaar")
    await bram.wait_for(lambda: len(bram.state.chat) == 2)

    # Nobody else was closed, and each got at most the budget of signals.
    assert bram.closed_with is None and fa.closed_with is None
    budget = flood.SIGNAL_BURST + flood.SIGNALS_PER_SECOND * took + 1
    assert len(bram.signals) <= budget, (len(bram.signals), sent, other, took)
    assert len(fa.signals) <= budget
    assert all(s["from"] == anna.participant for s in bram.signals)
    # The flooder is closed with 1008 (policy violation) once far beyond the budget, and the
    # operator sees it on /metrics.
    await anna.wait_for(lambda: anna.closed_with is not None)
    assert anna.closed_with == flood.CLOSE_FLOODING
    assert (await scrape(server))["werkplaats_flooding_clients_closed_total"] >= 1
    # And may come back, and signal within the budget again.
    await anna.connect()
    assert anna.socket is not None
    await anna.socket.send(browser_form)
    await bram.wait_for(lambda: len(bram.signals) > 0 and bram.signals[-1]["kind"] == "pointer")


async def test_a_few_signals_a_second_all_pass(server: Server) -> None:
    created = await server.create_session()
    anna = await joined(server, created, "Anna")
    bram = await joined(server, created, "Bram")
    assert anna.socket is not None
    for n in range(flood.SIGNAL_BURST):
        await anna.socket.send(json.dumps({"type": "signal", "kind": "dragging", "ref": f"n{n}"}))
    await bram.wait_for(lambda: len(bram.signals) == flood.SIGNAL_BURST)
    assert anna.closed_with is None


async def test_a_command_flood_is_refused_beyond_the_budget(server: Server) -> None:
    created = await server.create_session()
    anna = await joined(server, created, "Anna")
    tab = Client(server, anna.public_id, anna.participant, anna.token)  # a second tab of hers
    await tab.connect()
    bram = await joined(server, created, "Bram")
    count = 100
    started = time.monotonic()
    for n in range(count):
        for client, name in ((anna, "a"), (tab, "t")):
            await client.send(type="chat.post", id=f"{name}{n}", text=f"bericht {n}")

    def answered(client: Client, name: str) -> bool:
        ids = {f"{name}{n}" for n in range(count)}
        return ids <= set(client.acks) | {e["id"] for e in client.errors}

    await anna.wait_for(lambda: answered(anna, "a"), seconds=60)
    await tab.wait_for(lambda: answered(tab, "t"), seconds=60)
    took = time.monotonic() - started
    accepted = len(anna.acks) + len(tab.acks)
    refused = anna.errors + tab.errors
    # Both tabs share her budget; everything over it is refused with the frame's own id.
    assert accepted <= flood.COMMAND_BURST + flood.COMMANDS_PER_SECOND * took + 1, (accepted, took)
    assert accepted + len(refused) == 2 * count
    assert refused and {e["code"] for e in refused} == {flood.RATE_LIMITED}
    assert all(e["id"] is not None and e["id"] not in anna.acks for e in anna.errors)
    # Refused commands logged nothing.
    log = await server.log(anna.public_id)
    theirs = [e for e in log if e.actor == anna.participant and isinstance(e.body, ev.ChatPosted)]
    assert len(theirs) == accepted
    refused_total = (await scrape(server))["werkplaats_commands_rate_limited_total"]
    assert refused_total >= len(refused)  # other tests on this server may add theirs
    # Someone else is not held to her budget; and after a pause she may go on.
    await bram.do("b1", "chat.post", text="ik mag nog")
    await asyncio.sleep(2 / flood.COMMANDS_PER_SECOND)
    await anna.do("again", "chat.post", text="weer")


def test_the_command_rate_is_a_setting(tmp_path: Path) -> None:
    env = {"WERKPLAATS_DATA_DIR": str(tmp_path)}
    assert Settings.from_env(env).commands_per_second == flood.COMMANDS_PER_SECOND
    assert (
        Settings.from_env({**env, "WERKPLAATS_COMMANDS_PER_SECOND": "500"}).commands_per_second
        == 500
    )
    for wrong in ("0", "-1", "1.5", "veel", "100001"):
        with pytest.raises(SettingsError, match=r"allowed: a whole number from 1 to 100000"):
            Settings.from_env({**env, "WERKPLAATS_COMMANDS_PER_SECOND": wrong})


async def test_a_server_applies_the_command_rate_it_is_given(tmp_path: Path) -> None:
    server = Server(
        f"sqlite+aiosqlite:///{tmp_path / 'werkplaats.sqlite3'}",
        tmp_path,
        {"WERKPLAATS_COMMANDS_PER_SECOND": "1"},  # bursts of 4
    )
    server.prepare()
    with running(server):
        created = await server.create_session()
        anna = await joined(server, created, "Anna")
        started = time.monotonic()
        for n in range(12):
            await anna.send(type="chat.post", id=f"a{n}", text=f"bericht {n}")
        await anna.wait_for(lambda: len(anna.acks) + len(anna.errors) == 12)
        took = time.monotonic() - started
        assert 4 <= len(anna.acks) <= 4 + 1 * took + 1, (len(anna.acks), took)
        assert {e["code"] for e in anna.errors} == {flood.RATE_LIMITED}
        await Client.close_all()
