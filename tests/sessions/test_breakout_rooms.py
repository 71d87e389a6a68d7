"""A video room per breakout group, as pure functions: deciding, folding, who receives which
room, and the Jitsi room names (sessions/video.py)."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest

from sessions import commands as c
from sessions import events as ev
from sessions import video
from sessions.state import fold
from sessions.tools.breakouts import Breakouts, room_of
from sessions.views import project
from tests.sessions.test_state import Session, refused

ROOT = Path(__file__).resolve().parents[2]
PLENARY = "https://meet.jit.si/werkplaats-intervisie"
GROUP_ROOM = re.compile(re.escape(PLENARY) + r"-[a-z0-9]{20}")
PARTICIPANTS = ("p1", "p2", "p3")


def opened(s: Session, **fields: object) -> dict[str, str]:
    """Open groups of two (of three participants); each group's room in the full state."""
    s.do("fa", c.OpenBreakouts(id="open", size=2, **fields))  # type: ignore[arg-type]
    return {g: room for g in s.state.breakouts.groups if (room := room_of(s.state.breakouts, g))}


def with_link(url: str | None = PLENARY) -> Session:
    s = Session(modality="online", capacity=None)
    if url is not None:
        s.do("fa", c.SetVideo(id="video", url=url))
    return s


def test_on_a_jitsi_link_each_group_gets_its_own_random_room() -> None:
    s = with_link()
    rooms = opened(s)
    assert set(rooms) == set(s.state.breakouts.groups) and len(rooms) == 2
    assert all(GROUP_ROOM.fullmatch(room) for room in rooms.values()), rooms
    assert len(set(rooms.values())) == 2
    # Opened again: new rooms, not the earlier ones.
    again = opened(s)
    assert not set(again.values()) & set(rooms.values())


def test_each_participant_receives_only_their_own_group_s_room() -> None:
    s = with_link()
    rooms = opened(s)
    groups = s.state.breakouts.groups
    for reader in PARTICIPANTS:
        [mine] = [g for g, members in groups.items() if reader in members]
        state = fold(s.views(reader))
        assert room_of(state.breakouts, mine) == rooms[mine]
        others = [room for g, room in rooms.items() if g != mine]
        encoded = msgspec.json.encode([*s.views(reader), state]).decode()
        assert not any(room in encoded for room in others), reader
        assert msgspec.to_builtins(state) == msgspec.to_builtins(project(s.state, reader))
    # The facilitator has every room; an observer none (they follow the session's link).
    assert {g: room_of(fold(s.views("fa")).breakouts, g) for g in groups} == rooms
    assert fold(s.views("ob")).breakouts.rooms == []
    hidden = [e.body for e in s.views("ob") if isinstance(e.body, ev.Hidden)]
    assert hidden == [ev.Hidden("room"), ev.Hidden("room")]


def test_called_back_everyone_has_no_room_but_the_session_s_link() -> None:
    s = with_link()
    opened(s)
    s.do("fa", c.CloseBreakouts(id="close"))
    for reader in ("fa", *PARTICIPANTS):
        state = fold(s.views(reader))
        assert state.breakouts.rooms == [] and state.video_url == PLENARY


@pytest.mark.parametrize(
    ("link", "rooms", "made"),
    [
        ("https://meet.jit.si/x", None, True),
        ("https://MEET.JIT.SI/x", None, True),
        ("https://meet.jit.si/x", False, False),
        ("https://bbb.example.nl/b/abc", None, False),  # not a Jitsi server we know
        ("https://jitsi.gemeente.example/overleg", True, True),  # self-hosted: the box ticked
        (None, None, False),
    ],
)
def test_rooms_are_made_on_a_known_jitsi_server_or_when_asked(
    link: str | None, rooms: bool | None, made: bool
) -> None:
    s = with_link(link)
    assert bool(opened(s, rooms=rooms)) == made


def test_asking_for_rooms_without_a_link_is_refused_and_changes_nothing() -> None:
    s = with_link(None)
    before = len(s.log)
    assert refused(s, "fa", c.OpenBreakouts(id="o", rooms=True)) == "no_video"
    assert len(s.log) == before and not s.state.breakouts.open


def test_a_facilitator_sets_any_provider_s_link_for_a_group_and_clears_it() -> None:
    s = with_link("https://bbb.example.nl/b/plenair")
    opened(s)
    group, members = next(iter(s.state.breakouts.groups.items()))
    bbb = "https://bbb.example.nl/b/groep-een"
    [event] = s.do("fa", c.SetBreakoutVideo(id="v", group=group, url=bbb))
    assert isinstance(event.body, ev.BreakoutRoom)
    assert event.body.to == tuple(sorted({*members, "fa"}))
    for reader in PARTICIPANTS:
        expected = bbb if reader in members else None
        assert room_of(fold(s.views(reader)).breakouts, group) == expected, reader
    s.do("fa", c.SetBreakoutVideo(id="w", group=group, url=None))
    assert room_of(s.state.breakouts, group) is None  # back to the session's link


@pytest.mark.parametrize(
    ("who", "command", "code"),
    [
        ("p1", c.SetBreakoutVideo(id="x", group="groep-1", url=PLENARY), "forbidden"),
        ("fa", c.SetBreakoutVideo(id="x", group="groep-9", url=PLENARY), "unknown_group"),
        ("fa", c.SetBreakoutVideo(id="x", group="groep-1", url="javascript:alert(1)"), "invalid"),
        ("fa", c.SetBreakoutVideo(id="x", group="groep-1", url="https://a b"), "invalid"),
    ],
)
def test_a_wrong_group_link_is_refused_and_changes_nothing(
    who: str, command: c.Command, code: str
) -> None:
    s = with_link()
    opened(s)
    before = len(s.log)
    assert refused(s, who, command) == code
    assert len(s.log) == before


def test_no_group_link_while_no_groups_are_open() -> None:
    s = with_link()
    command = c.SetBreakoutVideo(id="x", group="groep-1", url=PLENARY)
    assert refused(s, "fa", command) == "no_breakouts"
    opened(s)
    s.do("fa", c.CloseBreakouts(id="close"))
    assert refused(s, "fa", command) == "no_breakouts"


def test_who_chooses_a_group_later_receives_its_room_then() -> None:
    s = with_link()
    rooms = opened(s, mode="choice")
    assert rooms and all(
        room_of(fold(s.views(p)).breakouts, g) is None for p in PARTICIPANTS for g in rooms
    )
    s.do("p1", c.ChooseBreakout(id="c", group="groep-1"))
    assert room_of(fold(s.views("p1")).breakouts, "groep-1") == rooms["groep-1"]
    assert room_of(fold(s.views("p2")).breakouts, "groep-1") is None
    assert fold(s.views("p1")).breakouts.rooms[-1].to == ["p1"]


def test_logs_and_snapshots_from_before_rooms_fold_as_before() -> None:
    old = b'{"open":true,"mode":"random","groups":{"groep-1":["p1"]},"messages":[]}'
    breakouts = msgspec.json.decode(old, type=Breakouts)
    assert breakouts.rooms == [] and breakouts.open
    body = msgspec.json.decode(
        b'{"type":"breakouts.opened","mode":"random","groups":{"groep-1":["p1"]}}',
        type=ev.EventBody,
    )
    assert body == ev.BreakoutsOpened("random", {"groep-1": ("p1",)})


@pytest.mark.parametrize(
    ("plenary", "room"),
    [
        ("https://meet.jit.si/Overleg", "https://meet.jit.si/Overleg-s"),
        ("https://meet.jit.si/", "https://meet.jit.si/werkplaats-s"),
        ("https://meet.jit.si", "https://meet.jit.si/werkplaats-s"),
        ("https://jitsi.example/tenant/kamer/", "https://jitsi.example/tenant/kamer-s"),
        (
            "https://meet.jit.si/kamer?jwt=1#config.startWithAudioMuted=true",
            "https://meet.jit.si/kamer-s?jwt=1#config.startWithAudioMuted=true",
        ),
        ("https://meet.jit.si/een%20kamer", "https://meet.jit.si/een%20kamer-s"),
    ],
)
def test_a_group_room_is_the_plenary_room_with_a_suffix(plenary: str, room: str) -> None:
    assert video.group_room(plenary, "s") == room
    assert video.video_url_problem(video.group_room(plenary, "s")) is None


def test_room_suffixes_are_long_random_and_lower_case() -> None:
    suffixes = {video.room_suffix() for _ in range(200)}
    assert len(suffixes) == 200
    assert all(re.fullmatch(r"[a-z0-9]{20}", suffix) for suffix in suffixes)


def test_the_browser_knows_the_same_jitsi_servers() -> None:
    view = (ROOT / "sessions/client/tools/breakouts/view.js").read_text()
    [listed] = re.findall(r"export const JITSI_HOSTS = \[(.*?)\];", view)
    assert set(re.findall(r'"([^"]+)"', listed)) == video.JITSI_HOSTS
