"""The video-call link, against a real server process on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sessions import events as ev
from tests.sessions.live import (
    Client,
    Server,
    expected_state,
    same,
)

LINK = "https://meet.jit.si/werkplaats-intervisie"


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


async def _session(server: Server) -> tuple[Client, Client]:
    created = await server.create_session()
    public_id = str(created["session"])
    fa = Client(server, public_id, str(created["participant"]), str(created["token"]))
    await fa.connect()
    joined = (await server.join(str(created["join_code"]), "Anna")).json()
    anna = Client(server, public_id, joined["participant"], joined["token"])
    await anna.connect()
    return fa, anna


async def test_the_facilitator_sets_and_clears_the_link_for_everyone(server: Server) -> None:
    fa, anna = await _session(server)
    assert fa.state.video_url is None
    [seq] = await fa.do("v1", "session.video", url=LINK)
    await anna.wait_for(lambda: anna.last_seq == seq)
    assert anna.state.video_url == LINK
    [event] = [e for e in await server.log(fa.public_id) if e.seq == seq]
    assert event.body == ev.VideoSet(LINK) and event.actor == fa.participant
    # Someone who connects later finds it in the welcome state.
    late = Client(server, anna.public_id, anna.participant, anna.token)
    await late.connect()
    assert late.welcome["state"]["video_url"] == LINK
    [cleared] = await fa.do("v2", "session.video", url=None)
    await anna.wait_for(lambda: anna.last_seq == cleared)
    assert anna.state.video_url is None
    for client in (fa, anna):
        assert same(client.state, await expected_state(server, fa.public_id, client.participant))


async def test_a_co_facilitator_may_set_it_a_participant_may_not(server: Server) -> None:
    fa, anna = await _session(server)
    assert await anna.refused("a1", "session.video", url=LINK) == "forbidden"
    await fa.do("f1", "role.set", participant=anna.participant, role="co-facilitator")
    await anna.do("a2", "session.video", url=LINK)
    await fa.wait_for(lambda: fa.state.video_url == LINK)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "meet.jit.si/werkplaats",
        "ftp://files.example/kamer",
        "javascript:alert(1)",
        "https://",
        "https://meet.example/een kamer",
        "https://meet.example/\tkamer",
        "https://meet.example@elders.example/",
        "https://meet.example/" + "a" * 480,
    ],
)
async def test_a_bad_link_is_refused_and_changes_nothing(server: Server, url: str) -> None:
    fa, _anna = await _session(server)
    before = await server.log(fa.public_id)
    assert await fa.refused("v", "session.video", url=url) == "invalid"
    message = fa.errors[-1]["message"]
    assert "http:// or https://" in message and "500" in message
    assert await server.log(fa.public_id) == before


async def test_a_session_created_with_a_link_shows_it_to_everyone(server: Server) -> None:
    created = await server.create_session(video_url=LINK)
    joined = (await server.join(str(created["join_code"]), "Anna")).json()
    anna = Client(server, str(created["session"]), joined["participant"], joined["token"])
    await anna.connect()
    assert anna.state.video_url == LINK


async def test_creating_with_a_bad_link_is_refused_and_makes_nothing(server: Server) -> None:
    client = await server.facilitator()
    try:
        before = (await client.get("/sessies")).text
        response = await client.post(
            "/api/sessions",
            json={"title": "Intervisie", "video_url": "javascript:alert(1)"},
        )
        after = (await client.get("/sessies")).text
    finally:
        await client.aclose()
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request"
    assert "http" in response.json()["message"]
    assert before.count("<tr") == after.count("<tr")


async def test_each_group_receives_only_its_own_jitsi_room_also_when_resuming(
    server: Server,
) -> None:
    """Three participants in two groups on a Jitsi link; Chris is offline while the groups open
    and resumes from the log (the readers come from the logged events, not the live state)."""
    created = await server.create_session(video_url=LINK)
    public_id = str(created["session"])
    fa = Client(server, public_id, str(created["participant"]), str(created["token"]))
    await fa.connect()
    people = []
    for name in ("Anna", "Bram", "Chris"):
        joined = (await server.join(str(created["join_code"]), name)).json()
        client = Client(server, public_id, joined["participant"], joined["token"])
        await client.connect()
        people.append(client)
    chris = people[-1]
    await chris.wait_for(lambda: len(chris.state.people) == 4)
    await chris.close()
    seqs = await fa.do("open", "breakouts.open", size=2)
    assert len(seqs) == 3  # the groups, then a room for each
    await chris.connect()
    rooms = {r.group: r.url for r in fa.state.breakouts.rooms}
    assert len(rooms) == 2 and len(set(rooms.values())) == 2
    assert all(url is not None and url.startswith(LINK + "-") for url in rooms.values())
    for client in people:
        await client.wait_for(lambda c=client: c.last_seq == seqs[-1])
        [mine] = [g for g, m in client.state.breakouts.groups.items() if client.participant in m]
        assert [(r.group, r.url) for r in client.state.breakouts.rooms] == [(mine, rooms[mine])]
        assert same(client.state, await expected_state(server, public_id, client.participant))
    assert chris.welcome["resume_from"] is not None
    # Called back: nobody has a room, everyone the session's link.
    [closed] = await fa.do("close", "breakouts.close")
    for client in people:
        await client.wait_for(lambda c=client: c.last_seq == closed)
        assert client.state.breakouts.rooms == [] and client.state.video_url == LINK
