"""Deleting chat messages: an author deletes their own, a facilitator any (a client's name typed
in haste, abuse); everyone keeps the message's place without its text, live and in the welcome;
in breakout groups nobody deletes what they cannot read. Against a real server process, SQLite
and PostgreSQL. (Before, a chat message could not be taken back at all.)"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sessions import events as ev
from tests.sessions.live import Client, Server, expected_state, facilitator, joined, same


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


def _message(client: Client, text: str) -> str:
    return next(m.message for m in client.state.chat if m.text == text)


async def test_authors_delete_their_own_and_facilitators_any(server: Server) -> None:
    created = await server.create_session()
    fa = await facilitator(server, created)
    anna = await joined(server, created, "Anna")
    bram = await joined(server, created, "Bram")
    await anna.do("a1", "chat.post", text="Meneer Jansen van de Dorpsstraat zei het ook")
    [posted] = await bram.do("b1", "chat.post", text="Wat een onzin")
    await anna.wait_for(lambda: anna.last_seq == posted)
    hers = _message(anna, "Meneer Jansen van de Dorpsstraat zei het ook")
    his = _message(anna, "Wat een onzin")

    # Someone else's message: only a facilitator may delete it.
    assert await bram.refused("b2", "chat.delete", message=hers) == "not_your_message"
    [deleted] = await anna.do("a2", "chat.delete", message=hers)
    await bram.wait_for(lambda: bram.last_seq == deleted)
    [gone] = [m for m in bram.state.chat if m.message == hers]
    assert gone.deleted and gone.text == "" and gone.author == anna.participant
    [event] = [e for e in await server.log(fa.public_id) if e.seq == deleted]
    assert event.body == ev.ChatDeleted(hers) and event.actor == anna.participant
    assert await anna.refused("a3", "chat.delete", message=hers) == "unknown_message"
    assert await anna.refused("a4", "chat.delete", message="nope") == "unknown_message"

    # The facilitator deletes Bram's, also after the end.
    await fa.do("f1", "session.end")
    [tidied] = await fa.do("f2", "chat.delete", message=his)
    await anna.wait_for(lambda: anna.last_seq == tidied)
    assert [m.text for m in anna.state.chat] == ["", ""]

    # Someone who comes back finds both deleted in the welcome: no text on the wire.
    await bram.close()
    back = Client(server, bram.public_id, bram.participant, bram.token)
    await back.connect()
    assert [m["deleted"] for m in back.welcome["state"]["chat"]] == [True, True]
    assert "Jansen" not in str(back.welcome) and "onzin" not in str(back.welcome)
    for client in (fa, anna, back):
        assert same(client.state, await expected_state(server, fa.public_id, client.participant))


async def test_nobody_deletes_a_group_message_they_cannot_read(server: Server) -> None:
    created = await server.create_session()
    fa = await facilitator(server, created)
    people = [await joined(server, created, name) for name in ("Anna", "Bram", "Cas", "Dirk")]
    await fa.do("open", "breakouts.open", mode="random", size=2)
    for person in people:
        await person.wait_for(lambda person=person: person.state.breakouts.open)
    anna = people[0]
    groups = fa.state.breakouts.groups
    mine = next(members for members in groups.values() if anna.participant in members)
    outsider = next(p for p in people if p.participant not in mine)
    [posted] = await anna.do("a1", "chat.post", text="Alleen voor ons groepje")
    await fa.wait_for(lambda: fa.last_seq == posted)
    message = _message(fa, "Alleen voor ons groepje")
    # To someone outside the group it does not exist, also when they are given its id.
    assert await outsider.refused("o1", "chat.delete", message=message) == "unknown_message"
    await fa.do("f1", "chat.delete", message=message)
    assert await anna.refused("a2", "chat.delete", message=message) == "unknown_message"
    last = (await server.log(fa.public_id))[-1].seq
    for person in (fa, anna, outsider):
        # Nothing above waited for the outsider's socket to bring the deletion's stand-in.
        await person.wait_for(lambda person=person: person.last_seq == last)
        assert same(person.state, await expected_state(server, fa.public_id, person.participant))
