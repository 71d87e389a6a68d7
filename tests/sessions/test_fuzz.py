"""Generated messages never crash the handler, and change the log only by what was acked."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions import commands as c
from sessions.decide import Refused
from tests.sessions.live import Client, Server, running
from tests.sessions.test_state import PEOPLE, Session

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    [
        "id",
        "text",
        "note",
        "x",
        "y",
        "target",
        "kind",
        "minutes",
        "budget",
        "hidden",
        "order",
        "participant",
        "role",
        "phases",
        "index",
        "group",
        "location",
        "name",
        "cluster",
        "title",
        "token",
        "last_seq",
        "anonymous",
        "private",
        "mode",
        "size",
        "locked",
        "url",
    ]
)
MESSAGES = st.one_of(
    JSON,
    st.builds(
        lambda kind, fields: {"type": kind, **fields},
        st.sampled_from([*sorted(c.COMMAND_TYPES), "hello", "signal", "x"]),
        st.dictionaries(FIELDS, JSON, max_size=5),
    ),
)


@settings(max_examples=500, deadline=None)
@given(message=MESSAGES, actor=st.sampled_from(PEOPLE))
def test_decoding_and_deciding_never_crash(message: Any, actor: str) -> None:
    try:
        decoded = c.decode(json.dumps(message))
    except c.ProtocolError as error:
        assert error.code in {"malformed", "unknown_type", "invalid", "too_large"}
        return
    if isinstance(decoded, c.Command):
        session = Session()
        try:
            session.do(actor, decoded)
        except Refused as refused:
            assert refused.code and refused.message


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


def _garbage(rng: random.Random, count: int) -> list[str]:
    """Frames that look like commands but mostly are not quite right, and some that are."""
    kinds = sorted(c.COMMAND_TYPES)
    values: list[Any] = [
        None,
        True,
        0,
        -1,
        10**12,
        0.5,
        2.5,
        "",
        "x" * 600,
        "tekst",
        [],
        {},
        ["p1"],
        {"a": 1},
    ]
    frames = []
    for n in range(count):
        shape = rng.random()
        if shape < 0.1:
            frames.append(rng.choice(["", "null", "[]", "{", "\x00", "{}" * 5000, '"x"']))
            continue
        message: dict[str, Any] = {"type": rng.choice([*kinds, "bogus"]), "id": f"g{n}"}
        for field in rng.sample(
            [
                "text",
                "note",
                "x",
                "y",
                "target",
                "kind",
                "minutes",
                "budget",
                "participant",
                "role",
                "index",
                "name",
                "location",
                "url",
            ],
            3,
        ):
            message[field] = rng.choice(values)
        frames.append(json.dumps(message))
    return frames


async def test_generated_frames_get_answers_and_change_only_what_was_acked(
    server: Server,
) -> None:
    created = await server.create_session(modality="hybrid", capacity=5)
    public_id = str(created["session"])
    joined = (await server.join(str(created["join_code"]), "Fuzz", "remote")).json()
    fuzz = Client(server, public_id, joined["participant"], joined["token"])
    await fuzz.connect()
    witness = Client(server, public_id, str(created["participant"]), str(created["token"]))
    await witness.connect()
    before = await server.log(public_id)
    frames = _garbage(random.Random(7), 300)
    for frame in frames:
        assert fuzz.socket is not None
        await fuzz.socket.send(frame)
    await fuzz.do("final", "chat.post", text="nog steeds verbonden")  # the connection lives
    after = await server.log(public_id)
    acked = {seq for seqs in fuzz.acks.values() for seq in seqs}
    assert [e.seq for e in after[len(before) :]] == sorted(acked)  # nothing but acked events
    codes = {error["code"] for error in fuzz.errors}
    assert codes <= {
        "malformed",
        "unknown_type",
        "invalid",
        "too_large",
        "forbidden",
        "already_greeted",
        *ALL_REFUSALS,
    }
    assert len(fuzz.errors) + len(fuzz.acks) >= len(frames) - 1  # every frame was answered
    await witness.wait_for(lambda: witness.last_seq == after[-1].seq)


ALL_REFUSALS = {
    "not_a_participant",
    "forbidden",
    "session_ended",
    "invalid",
    "no_such_phase",
    "no_next_phase",
    "no_previous_phase",
    "not_running",
    "not_paused",
    "unknown_participant",
    "last_facilitator",
    "nothing_to_reveal",
    "voting_closed",
    "no_voting",
    "no_round",
    "not_your_turn",
    "no_participants",
    "no_breakouts",
    "board_locked",
    "too_many",
    "unknown_note",
    "not_your_note",
    "unknown_cluster",
    "unknown_target",
    "over_budget",
    "no_vote",
    "already_raised",
    "not_raised",
    "no_choice",
    "unknown_group",
    "not_hybrid",
    "room_full",
}
