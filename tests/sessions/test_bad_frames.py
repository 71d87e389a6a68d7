"""Frames that no parser should walk or no text can hold get the documented `invalid` error,
and the connection carries on (issue 14: deep nesting, `\\u0000` in texts)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from sessions import commands as c
from tests.sessions.live import Client, Server, running

DEEP_NOTE = '{"type": "note.add", "id": "deep", "text": ' + "[" * 1000 + "]" * 1000 + "}"


def test_decode_refuses_deep_nesting_as_invalid() -> None:
    assert len(DEEP_NOTE.encode()) < c.MAX_FRAME_BYTES
    with pytest.raises(c.ProtocolError) as refused:
        c.decode(DEEP_NOTE)
    assert refused.value.code == "invalid"
    with pytest.raises(c.ProtocolError) as unclosed:
        c.decode("[" * 16_000)
    assert unclosed.value.code == "invalid"


def test_decode_refuses_a_nul_in_a_text_as_invalid() -> None:
    frame = json.dumps({"type": "note.add", "id": "n1", "text": "a\x00b"})
    assert "\\u0000" in frame
    with pytest.raises(c.ProtocolError) as refused:
        c.decode(frame)
    assert refused.value.code == "invalid" and refused.value.command_id == "n1"
    escaped = json.dumps({"type": "note.add", "id": "n2", "text": "a\\u0000b"})
    assert isinstance(c.decode(escaped), c.AddNote)  # a backslash and the letters: fine


@pytest.mark.parametrize(
    "frame",
    [
        '{"type": "phase.start", "id": "p1", "index": 1e400}',
        '{"type": "signal", "kind": "pointer", "id": "p1", "x": -1e999}',
        '{"id": "p1", "type": "note.add", "text": "a", "x": [1e400, {"y": 1e400}]}',
    ],
)
def test_an_out_of_range_number_keeps_the_frames_id(frame: str) -> None:
    with pytest.raises(c.ProtocolError) as refused:
        c.decode(frame)
    assert refused.value.code == "invalid" and refused.value.command_id == "p1"


@pytest.mark.parametrize(
    "frame",
    [
        '{"type": "phase.start", "id": 7, "index": 1e400}',
        '{"type": "phase.start", "id": [1e400], "index": 0}',
        "[1e400]",
    ],
)
def test_an_out_of_range_number_without_a_string_id_has_no_id(frame: str) -> None:
    with pytest.raises(c.ProtocolError) as refused:
        c.decode(frame)
    assert refused.value.command_id is None


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    server = Server(database_url, tmp_path)
    server.prepare()
    with running(server):
        yield server


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


async def test_deep_and_nul_frames_get_invalid_and_the_connection_lives(server: Server) -> None:
    created = await server.create_session()
    public_id = str(created["session"])
    joined = (await server.join(str(created["join_code"]), "Anna")).json()
    anna = Client(server, public_id, joined["participant"], joined["token"])
    await anna.connect()
    before = await server.log(public_id)
    assert anna.socket is not None
    await anna.socket.send(DEEP_NOTE)
    await anna.wait_for(lambda: len(anna.errors) >= 1)
    assert anna.errors[-1]["code"] == "invalid"
    assert await anna.refused("nul", "note.add", text="a\x00b") == "invalid"
    await anna.do("after", "note.add", text="nog steeds verbonden")  # the connection lives
    after = await server.log(public_id)
    assert len(after) == len(before) + 1
