"""A facilitator closes a session to newcomers (`joins.lock`): nobody new joins, over the API
or the join page, from any browser (also someone removed who comes back from a fresh one);
whoever is in stays in and comes back after a drop; opening it again lets newcomers in. On a
real server process, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from sessions import events as ev
from tests.helpers import csrf_token
from tests.sessions.live import Client, Server, expected_state, joined, same
from tests.sessions.pages import text_of

CLOSED = "De begeleider heeft deze sessie gesloten voor nieuwkomers."


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


async def test_a_closed_session_takes_nobody_new_and_keeps_everyone_in(server: Server) -> None:
    created = await server.create_session()
    code = str(created["join_code"])
    fa = Client(server, str(created["session"]), str(created["participant"]), str(created["token"]))
    await fa.connect()
    anna = await joined(server, created, "Anna")
    bram = await joined(server, created, "Bram")
    assert anna.state.joins_locked is False

    # Bram is removed and the session closed: from a fresh browser he can no longer come back.
    await fa.do("f1", "participant.remove", participant=bram.participant)
    [seq] = await fa.do("f2", "joins.lock", locked=True)
    await anna.wait_for(lambda: anna.last_seq == seq)
    assert anna.state.joins_locked is True
    [event] = [e for e in await server.log(fa.public_id) if e.seq == seq]
    assert event.body == ev.JoinsLocked(True) and event.actor == fa.participant

    again = await server.join(code, "Bram")
    assert again.status_code == 409
    assert again.json()["code"] == "joins_locked"
    assert "closed this session to newcomers" in again.json()["message"]
    async with httpx.AsyncClient(base_url=server.url) as browser:
        page = await browser.get("/join", params={"code": code})
        assert page.status_code == 200
        assert CLOSED in text_of(page.text)
        assert 'name="name"' not in page.text  # said at once: nothing to fill in
        token = await csrf_token(browser)
        posted = await browser.post(
            "/join", data={"code": code, "name": "Bram", "csrf_token": token}
        )
        assert posted.status_code == 409 and CLOSED in text_of(posted.text)
    # The facilitator's pages show no code to invite people with while it is closed.
    pages = await server.facilitator()
    try:
        own = await pages.get(f"/sessies/{fa.public_id}")
        assert "De sessie is gesloten voor nieuwkomers" in text_of(own.text)
        screen = await pages.get(f"/sessies/{fa.public_id}/scherm")
        assert "Deze sessie is gesloten voor nieuwkomers." in text_of(screen.text)
        assert code not in screen.text.replace(" ", "")
    finally:
        await pages.aclose()
    people = {
        p.name for p in (await expected_state(server, fa.public_id, fa.participant)).people.values()
    }
    assert people == {"Fenna", "Anna", "Bram"}  # no second Bram: nothing was added

    # Whoever is in comes back after a drop, with their token.
    await anna.close()
    back = Client(server, anna.public_id, anna.participant, anna.token)
    await back.connect()
    assert back.welcome["state"]["joins_locked"] is True
    await back.do("a1", "participant.rename", name="Anna B.")

    # Sending what already is changes nothing; opening it again lets newcomers in.
    assert await fa.do("f3", "joins.lock", locked=True) == []
    await fa.do("f4", "joins.lock", locked=False)
    carla = await server.join(code, "Carla")
    assert carla.status_code == 201, carla.text
    # The join's answer does not wait for Anna's socket to bring her the event.
    last = (await server.log(fa.public_id))[-1].seq
    await back.wait_for(lambda: back.last_seq == last)
    assert same(back.state, await expected_state(server, fa.public_id, back.participant))


async def test_only_facilitators_close_a_session_and_not_after_its_end(server: Server) -> None:
    created = await server.create_session()
    fa = Client(server, str(created["session"]), str(created["participant"]), str(created["token"]))
    await fa.connect()
    anna = await joined(server, created, "Anna")
    assert await anna.refused("a1", "joins.lock", locked=True) == "forbidden"
    await fa.do("f1", "role.set", participant=anna.participant, role="co-facilitator")
    await anna.do("a2", "joins.lock", locked=True)
    await fa.do("f2", "session.end")
    assert await fa.refused("f3", "joins.lock", locked=False) == "session_ended"
    # Ended wins: the join page says the session has ended, not that it is closed.
    async with httpx.AsyncClient(base_url=server.url) as browser:
        page = await browser.get("/join", params={"code": str(created["join_code"])})
    assert "Deze sessie is afgelopen" in text_of(page.text)
    assert CLOSED not in text_of(page.text)
