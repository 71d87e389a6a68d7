"""Live sessions against a real server process on a loopback port, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.sessions.live import (
    Client,
    Server,
    expected_state,
    same,
)


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


async def _session_with(
    server: Server, names: list[str], **body: object
) -> tuple[dict[str, object], Client, list[Client]]:
    created = await server.create_session(**body)
    public_id = str(created["session"])
    facilitator = Client(server, public_id, str(created["participant"]), str(created["token"]))
    await facilitator.connect()
    people = []
    for name in names:
        joined = await server.join(
            str(created["join_code"]), name, "remote" if body.get("modality") == "hybrid" else None
        )
        assert joined.status_code == 201, joined.text
        data = joined.json()
        client = Client(server, public_id, data["participant"], data["token"])
        await client.connect()
        people.append(client)
    return created, facilitator, people


async def test_a_session_from_a_variant_runs_and_everyone_converges(server: Server) -> None:
    created, fa, (anna, bram, cas) = await _session_with(server, ["Anna", "Bram", "Cas"])
    public_id = str(created["session"])
    assert fa.state.phases[0].name == "Opening"  # the intervisie script is the agenda
    assert fa.state.phases[-1].tool == "harvest"
    await fa.do("f1", "phase.next")
    [note_seq] = await anna.do("a1", "note.add", text="Hoe houd ik grenzen aan?")
    await bram.do("b1", "note.add", text="Een geheim idee", private=True)
    await fa.do("f2", "voting.open", budget=2)
    note = next(iter(anna.state.notes))
    await cas.do("c1", "vote.cast", target=note)
    await fa.do("f3", "notes.reveal")
    await fa.do("f4", "round.start")
    await cas.do("c2", "chat.post", text="Goed punt")
    last = (await server.log(public_id))[-1].seq
    for client in (fa, anna, bram, cas):
        await client.wait_for(lambda client=client: client.last_seq == last)
        assert same(client.state, await expected_state(server, public_id, client.participant))
    assert anna.state.notes[note].text == "Hoe houd ik grenzen aan?"
    assert note_seq <= last
    assert "Een geheim idee" in [n.text for n in cas.state.notes.values()]  # revealed


async def test_a_client_that_reconnects_gets_exactly_what_it_missed(server: Server) -> None:
    created, _fa, (anna, bram) = await _session_with(server, ["Anna", "Bram"])
    public_id = str(created["session"])
    await anna.do("a1", "note.add", text="eerste")
    await bram.close()
    for n in range(30):
        await anna.do(f"a-{n}", "note.add", text=f"briefje {n}")
    await bram.connect()  # resumes from its last seq
    assert bram.welcome["resume_from"] > 0
    last = (await server.log(public_id))[-1].seq
    await bram.wait_for(lambda: bram.last_seq == last)
    assert same(bram.state, await expected_state(server, public_id, bram.participant))


async def test_a_retried_command_is_applied_once(server: Server) -> None:
    created, _fa, (anna,) = await _session_with(server, ["Anna"])
    first = await anna.do("same-id", "note.add", text="een keer")
    anna.acks.pop("same-id")
    again = await anna.do("same-id", "note.add", text="een keer")
    assert first == again
    log = await server.log(str(created["session"]))
    assert sum(1 for e in log if type(e.body).__name__ == "NoteAdded") == 1


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "malformed"),
        (json.dumps({"type": "fly", "id": "x"}), "unknown_type"),
        (json.dumps({"type": "note.add", "id": "x"}), "invalid"),
        (json.dumps({"type": "note.add", "id": "x", "text": "a" * 600}), "invalid"),
        (json.dumps({"type": "note.add", "id": "x", "text": "a", "extra": 1}), "invalid"),
        ("x" * 20_000, "too_large"),
        (json.dumps({"type": "phase.next", "id": "x"}), "forbidden"),
        (json.dumps({"type": "vote.cast", "id": "x", "target": "nothing"}), "voting_closed"),
        (json.dumps({"type": "note.edit", "id": "x", "note": "nope", "text": "b"}), "unknown_note"),
        (json.dumps({"type": "hello", "token": "t"}), "already_greeted"),
    ],
)
async def test_bad_messages_get_a_code_and_change_nothing(
    server: Server, frame: str, code: str
) -> None:
    created, _fa, (anna, bram) = await _session_with(server, ["Anna", "Bram"])
    public_id = str(created["session"])
    before = await server.log(public_id)
    assert anna.socket is not None
    await anna.socket.send(frame)
    await anna.wait_for(lambda: bool(anna.errors))
    assert anna.errors[-1]["code"] == code
    assert await server.log(public_id) == before
    # The connection, and everyone else's, carries on.
    await anna.do("after", "note.add", text="nog steeds hier")
    await bram.wait_for(lambda: bram.last_seq == anna.last_seq)


async def test_commands_invalid_in_the_state_are_refused(server: Server) -> None:
    _created, fa, (anna, bram) = await _session_with(server, ["Anna", "Bram"])
    [_seq] = await bram.do("b1", "note.add", text="van Bram")
    note = next(iter(bram.state.notes))
    assert await anna.refused("a1", "note.edit", note=note, text="van Anna") == "not_your_note"
    await fa.do("f1", "voting.open", budget=1)
    await anna.do("a2", "vote.cast", target=note)
    assert await anna.refused("a3", "vote.cast", target=note) == "over_budget"
    for n in range(len(fa.state.phases)):
        await fa.do(f"n{n}", "phase.next")
    assert await fa.refused("f2", "phase.next") == "no_next_phase"


async def test_forged_tokens_and_foreign_origins_are_refused(server: Server) -> None:
    created, _fa, (anna,) = await _session_with(server, ["Anna"])
    public_id = str(created["session"])
    forged = Client(server, public_id, "p-forged", str(created["token"]) + "x")
    with pytest.raises(AssertionError):
        await forged.connect()
    assert forged.errors and forged.errors[0]["code"] == "bad_token"
    url = server.url.replace("http", "ws") + f"/ws/sessions/{public_id}"
    with pytest.raises(InvalidStatus) as refused:
        await connect(url, additional_headers={"Origin": "https://evil.example"})
    assert refused.value.response.status_code == 403
    ok = Client(server, public_id, anna.participant, anna.token)
    await ok.connect(origin=server.url)  # the site's own origin is fine
    await ok.close()


async def test_the_room_is_never_over_capacity_under_concurrent_joins(server: Server) -> None:
    created = await server.create_session(modality="hybrid", capacity=3)
    code = str(created["join_code"])
    answers = await asyncio.gather(
        *(server.join(code, f"Deelnemer {n}", "room") for n in range(12))
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) == 3
    refused = [a.json() for a in answers if a.status_code == 409]
    assert len(refused) == 9 and all(r["code"] == "room_full" for r in refused)
    assert "remotely" in refused[0]["message"]
    remote = await server.join(code, "Op afstand", "remote")
    assert remote.status_code == 201


async def test_a_session_records_its_goals_region_and_theme(server: Server) -> None:
    created = await server.create_session(
        goals=["reflecteren", "casus-oplossen"],
        region="zwolle",
        theme="collectief-werken",
        modality="hybrid",
        capacity=20,
        anonymous_notes=True,
    )
    facilitator = Client(
        server, str(created["session"]), str(created["participant"]), str(created["token"])
    )
    await facilitator.connect()
    state = facilitator.state
    assert (state.region, state.theme, state.goals) == (
        "zwolle",
        "collectief-werken",
        ["reflecteren", "casus-oplossen"],
    )
    assert state.capacity == 20 and state.anonymous_notes and state.modality == "hybrid"
    assert len(str(created["join_code"])) == 6


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"goals": ["vliegen"]}, 422, "unknown_goal"),
        ({"region": "mars"}, 422, "unknown_region"),
        ({"region": "zwolle", "theme": "ruimtevaart"}, 422, "unknown_theme"),
        ({"theme": "collectief-werken"}, 422, "invalid_request"),
        ({"variant": "bestaat-niet"}, 422, "unknown_variant"),
        ({"modality": "online", "capacity": 10}, 422, "invalid_request"),
        ({"modality": "zoom"}, 422, "invalid_request"),
        ({"breakout_size": 1}, 422, "invalid_request"),
        ({"title": ""}, 422, "invalid_request"),
    ],
)
async def test_creating_a_session_refuses_what_is_wrong(
    server: Server, body: dict[str, object], status: int, code: str
) -> None:
    client = await server.facilitator()
    try:
        response = await client.post(
            "/api/sessions", json={"title": "Intervisie", "variant": "intervisie", **body}
        )
    finally:
        await client.aclose()
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert response.json()["message"]


async def test_only_facilitators_create_sessions_and_codes_must_exist(server: Server) -> None:
    anonymous = await server.join("ZZZZZZ", "Anna")
    assert anonymous.status_code == 404 and anonymous.json()["code"] == "unknown_code"
    async with httpx.AsyncClient(base_url=server.url) as stranger:
        response = await stranger.post("/api/sessions", json={"title": "x"})
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    created = await server.create_session(modality="hybrid")
    missing = await server.join(str(created["join_code"]), "Anna")  # hybrid: where are you?
    assert missing.status_code == 422 and missing.json()["code"] == "location_required"


async def test_binary_frames_and_blank_text_get_errors_not_a_broken_connection(
    server: Server,
) -> None:
    _created, _fa, (anna,) = await _session_with(server, ["Anna"])
    assert anna.socket is not None
    await anna.socket.send(b'{"type":"note.add","id":"bin","text":"als bytes"}')
    await anna.wait_for(lambda: "bin" in anna.acks)  # binary JSON is read like text
    await anna.socket.send(b"\xff\xfe")
    await anna.wait_for(lambda: bool(anna.errors))
    assert anna.errors[-1]["code"] == "malformed"
    assert await anna.refused("blank", "note.add", text="   ") == "invalid"
    await anna.do("still", "note.add", text="nog hier")


async def test_a_removed_participant_is_disconnected_and_cannot_return(server: Server) -> None:
    _created, fa, (anna, bram) = await _session_with(server, ["Anna", "Bram"])
    await fa.do("rm", "participant.remove", participant=anna.participant)
    await anna.wait_for(lambda: anna.closed_with is not None)
    assert anna.closed_with == 4005
    again = Client(server, anna.public_id, anna.participant, anna.token)
    with pytest.raises(AssertionError):
        await again.connect()
    assert again.errors[0]["code"] == "bad_token"
    await bram.do("b", "chat.post", text="verder zonder Anna")


async def test_an_unknown_session_says_so(server: Server) -> None:
    url = server.url.replace("http", "ws") + "/ws/sessions/bestaat-niet"
    async with connect(url) as socket:
        error = json.loads(await socket.recv())
        with pytest.raises(ConnectionClosed):
            await socket.recv()
    assert error["code"] == "unknown_session"
    assert socket.close_code == 4004
