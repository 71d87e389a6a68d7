"""The session fold, decisions and views, as pure functions (no server, no database)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions import commands as c
from sessions import events as ev
from sessions.decide import Refused, decide, decide_join
from sessions.state import State, apply, fold
from sessions.views import project, view

PHASES = (
    ev.AgendaPhase("Opening", 5, "round"),
    ev.AgendaPhase("Vragen", 10, "board"),
    ev.AgendaPhase("Kiezen", 5, "vote"),
    ev.AgendaPhase("Oogsten", 10, "harvest"),
)
PEOPLE = ("fa", "p1", "p2", "p3", "ob")
ROLES: dict[str, ev.Role] = {
    "fa": "facilitator",
    "p1": "participant",
    "p2": "participant",
    "p3": "participant",
    "ob": "observer",
}


class Session:
    """A session driven through decide() and apply(), as the server does it."""

    def __init__(self, modality: str = "hybrid", capacity: int | None = 2) -> None:
        self.state = State()
        self.log: list[ev.Event] = []
        self.ids = (f"id{n}" for n in itertools.count())
        self.now = 1_000_000.0
        self._append(
            None,
            ev.SessionCreated(
                "Intervisie",
                PHASES,
                ("reflecteren",),
                modality,  # type: ignore[arg-type]
                capacity,
                3,
                False,
                False,
            ),
        )
        for person in PEOPLE:
            where: ev.Location = "remote"
            self._append(person, ev.ParticipantJoined(person, person.upper(), ROLES[person], where))

    def _append(self, actor: str | None, body: ev.EventBody) -> ev.Event:
        event = ev.Event(len(self.log) + 1, actor, self.now, body)
        self.log.append(event)
        apply(self.state, event)
        return event

    def do(self, actor: str, command: c.Command) -> list[ev.Event]:
        bodies = decide(self.state, actor, command, self.now, lambda: next(self.ids))
        return [self._append(actor, body) for body in bodies]

    def views(self, reader: str) -> Iterator[ev.Event]:
        before = State()
        for event in self.log:
            yield view(event, before, reader)
            apply(before, event)


def refused(session: Session, actor: str, command: c.Command) -> str:
    with pytest.raises(Refused) as caught:
        session.do(actor, command)
    return caught.value.code


def test_phases_run_on_server_time() -> None:
    s = Session()
    [started] = s.do("fa", c.NextPhase(id="1"))
    assert isinstance(started.body, ev.PhaseStarted)
    assert s.state.phase == 0 and s.state.ends_at == s.now + 5 * 60
    s.now += 60
    s.do("fa", c.PausePhase(id="2"))
    assert s.state.remaining == 4 * 60 and s.state.ends_at is None
    s.now += 600
    s.do("fa", c.ResumePhase(id="3"))
    assert s.state.ends_at == s.now + 4 * 60
    s.do("fa", c.ExtendPhase(id="4", minutes=2))
    assert s.state.ends_at == s.now + 6 * 60
    for n in range(3):
        s.do("fa", c.NextPhase(id=f"n{n}"))
    assert s.state.phase == 3
    assert refused(s, "fa", c.NextPhase(id="5")) == "no_next_phase"


def test_roles_are_checked_for_every_command() -> None:
    s = Session()
    assert refused(s, "p1", c.NextPhase(id="1")) == "forbidden"
    assert refused(s, "ob", c.AddNote(id="2", text="hoi")) == "forbidden"
    assert refused(s, "zz", c.AddNote(id="3", text="hoi")) == "not_a_participant"
    s.do("fa", c.RemoveParticipant(id="4", participant="p2"))
    assert refused(s, "p2", c.AddNote(id="5", text="hoi")) == "not_a_participant"


def test_notes_belong_to_their_author() -> None:
    s = Session()
    [added] = s.do("p1", c.AddNote(id="1", text="Mijn vraag"))
    note = added.body.note  # type: ignore[union-attr]
    assert refused(s, "p2", c.EditNote(id="2", note=note, text="anders")) == "not_your_note"
    s.do("p1", c.EditNote(id="3", note=note, text="Mijn betere vraag"))
    s.do("fa", c.DeleteNote(id="4", note=note))  # a facilitator may tidy the board
    assert note not in s.state.notes
    s.do("fa", c.LockBoard(id="5", locked=True))
    assert refused(s, "p1", c.AddNote(id="6", text="te laat")) == "board_locked"


def test_votes_stay_within_the_budget() -> None:
    s = Session()
    [added] = s.do("p1", c.AddNote(id="1", text="Optie"))
    note = added.body.note  # type: ignore[union-attr]
    assert refused(s, "p2", c.CastVote(id="2", target=note)) == "voting_closed"
    s.do("fa", c.OpenVoting(id="3", budget=2))
    s.do("p2", c.CastVote(id="4", target=note))
    s.do("p2", c.CastVote(id="5", target=note))
    assert refused(s, "p2", c.CastVote(id="6", target=note)) == "over_budget"
    s.do("p2", c.RetractVote(id="7", target=note))
    assert s.state.voting.tally == {note: 1}
    assert refused(s, "p3", c.RetractVote(id="8", target=note)) == "no_vote"
    assert refused(s, "p3", c.CastVote(id="9", target="nothing")) == "unknown_target"


def test_a_round_goes_speaker_by_speaker() -> None:
    s = Session()
    s.do("fa", c.StartRound(id="1", order=["p1", "p2"]))
    assert refused(s, "p2", c.PassTurn(id="2")) == "not_your_turn"
    s.do("p1", c.PassTurn(id="3"))
    assert s.state.round.current == 1 and s.state.round.passed == ["p1"]
    s.do("fa", c.NextSpeaker(id="4"))
    assert s.state.round.current is None
    assert refused(s, "fa", c.NextSpeaker(id="5")) == "no_round"


def test_the_room_never_holds_more_than_its_capacity() -> None:
    s = Session(capacity=2)
    s.do("p1", c.MoveLocation(id="1", location="room"))
    s.do("p2", c.MoveLocation(id="2", location="room"))
    assert refused(s, "p3", c.MoveLocation(id="3", location="room")) == "room_full"
    assert s.state.in_room() == 2


def test_the_last_facilitator_cannot_give_the_role_away() -> None:
    s = Session()
    assert refused(s, "fa", c.SetRole(id="1", participant="fa", role="participant")) == (
        "last_facilitator"
    )
    s.do("fa", c.SetRole(id="2", participant="p1", role="facilitator"))
    s.do("fa", c.SetRole(id="3", participant="fa", role="participant"))
    assert s.state.people["p1"].role == "facilitator"


def test_private_notes_are_seen_by_their_author_only_until_revealed() -> None:
    s = Session()
    [added] = s.do("p1", c.AddNote(id="1", text="Geheim", private=True))
    note = added.body.note  # type: ignore[union-attr]
    p1 = fold(s.views("p1"))
    p2 = fold(s.views("p2"))
    assert p1.notes[note].text == "Geheim"
    assert note not in p2.notes
    assert [e.seq for e in s.views("p2")] == [e.seq for e in s.log]  # no gap in seq
    s.do("fa", c.RevealNotes(id="2"))
    assert fold(s.views("p2")).notes[note].text == "Geheim"


def test_anonymous_notes_hide_their_author_from_others() -> None:
    s = Session()
    [added] = s.do("p1", c.AddNote(id="1", text="Zonder naam", anonymous=True))
    note = added.body.note  # type: ignore[union-attr]
    assert fold(s.views("p1")).notes[note].author == "p1"
    assert fold(s.views("fa")).notes[note].author is None
    s.do("p1", c.EditNote(id="2", note=note, text="Nog steeds zonder naam"))
    assert all(e.actor is None for e in s.views("p2") if isinstance(e.body, ev.NoteEdited))


def test_group_chat_logged_before_it_named_its_readers_stays_in_the_group() -> None:
    """A `chat.posted` in a breakout group from a log written before events named their readers
    (no `to`) is read by the group as it was then and the facilitators, as a new one is."""
    s = Session(modality="online", capacity=None)
    s._append("fa", ev.BreakoutsOpened("random", {"g1": ("p1", "p2"), "g2": ("p3", "ob")}))
    old = s._append("p1", ev.ChatPosted("m1", "Alleen voor groep 1", "g1"))
    assert old.body.to is None  # type: ignore[union-attr]
    for reader in ("p1", "p2", "fa"):
        assert [m.text for m in fold(s.views(reader)).chat] == ["Alleen voor groep 1"], reader
        assert [m.text for m in project(s.state, reader).chat] == ["Alleen voor groep 1"]
    for reader in ("p3", "ob", None):
        assert not fold(s.views(reader)).chat, reader  # type: ignore[arg-type]
        assert not project(s.state, reader).chat, reader


# Every reader's fold of their views equals the projection of the full state ----------------

NOTE_TEXT = st.text(min_size=1, max_size=20)
VIDEO_URLS = st.none() | st.sampled_from(
    ["https://meet.jit.si/werkplaats", "http://video.example:8080/kamer?x=1", "ftp://x", ""]
)


def commands_for(s: Session) -> st.SearchStrategy[c.Command]:
    refs = st.sampled_from([*s.state.notes, *s.state.clusters, "x"] or ["x"])
    ids = st.text("abcdef", min_size=1, max_size=4)
    unit = st.floats(0, 1)
    return st.one_of(
        st.builds(
            c.AddNote,
            id=ids,
            text=NOTE_TEXT,
            x=unit,
            y=unit,
            anonymous=st.booleans(),
            private=st.booleans(),
        ),
        st.builds(c.EditNote, id=ids, note=refs, text=NOTE_TEXT),
        st.builds(c.MoveNote, id=ids, note=refs, x=unit, y=unit),
        st.builds(c.DeleteNote, id=ids, note=refs),
        st.builds(c.CreateCluster, id=ids, title=NOTE_TEXT),
        st.builds(c.ClusterNote, id=ids, note=refs, cluster=st.none() | refs),
        st.builds(c.RevealNotes, id=ids),
        st.builds(c.OpenVoting, id=ids, budget=st.integers(1, 3), hidden=st.booleans()),
        st.builds(c.CastVote, id=ids, target=refs),
        st.builds(c.CastVote, id=ids, target=refs),  # twice: votes need a few tries to land
        st.builds(c.RetractVote, id=ids, target=refs),
        st.builds(c.RevealVotes, id=ids),
        st.builds(c.PlaceMarker, id=ids, kind=st.sampled_from(["now", "desired"]), x=unit, y=unit),
        st.builds(c.RevealChart, id=ids),
        st.builds(c.PostChat, id=ids, text=NOTE_TEXT),
        st.builds(c.RaiseHand, id=ids),
        st.builds(c.LowerHand, id=ids),
        st.builds(c.NextPhase, id=ids),
        st.builds(c.SetVideo, id=ids, url=VIDEO_URLS),
        st.builds(c.StartRound, id=ids),
        st.builds(c.PassTurn, id=ids),
        st.builds(c.OpenBreakouts, id=ids, mode=st.sampled_from(["random", "choice", "location"])),
    )


@st.composite
def sessions(
    draw: st.DrawFn, commands: Callable[[Session], st.SearchStrategy[c.Command]] = commands_for
) -> Session:
    """A session after 1 to 60 generated commands by anyone (refused ones change nothing);
    also used by tests/browser/test_state_parity.py."""
    s = Session()
    for _ in range(draw(st.integers(1, 60))):
        actor = draw(st.sampled_from(PEOPLE))
        command = draw(commands(s))
        try:
            s.do(actor, command)
        except Refused:
            pass
    return s


@settings(max_examples=300, deadline=None)
@given(sessions())
def test_every_reader_folds_to_the_projection_of_the_full_state(s: Session) -> None:
    full = fold(s.log)
    assert msgspec.json.encode(full) == msgspec.json.encode(s.state)
    for reader in (*PEOPLE, None):
        mine = fold(s.views(reader)) if reader else fold(s.views("nobody"))
        expected = project(full, reader if reader else "nobody")
        assert msgspec.to_builtins(mine) == msgspec.to_builtins(expected), reader


def test_an_asynchronous_phase_moves_on_by_date_only_when_due() -> None:
    from sessions.decide import advance_if_due

    s = Session()
    s.state.asynchronous = True
    s.state.phases = [
        ev.AgendaPhase("Schrijven", 30, "board", until=s.now + 10),
        ev.AgendaPhase("Oogsten", 10, "harvest", until=s.now + 20),
    ]
    s.do("fa", c.StartPhase(id="1", index=0))
    assert s.state.ends_at == s.now + 10
    assert advance_if_due(s.state, s.now + 5) == []
    [moved] = advance_if_due(s.state, s.now + 10)
    assert moved == ev.PhaseStarted(1, s.now + 20)
    s.state.phase = 1
    s.state.ends_at = s.now + 20
    assert advance_if_due(s.state, s.now + 30) == [ev.SessionEnded()]


def test_the_video_link_is_set_and_cleared_by_facilitators_for_everyone() -> None:
    s = Session()
    assert s.state.video_url is None
    [event] = s.do("fa", c.SetVideo(id="1", url="https://meet.jit.si/werkplaats"))
    assert event.body == ev.VideoSet("https://meet.jit.si/werkplaats")
    for reader in PEOPLE:
        assert fold(s.views(reader)).video_url == "https://meet.jit.si/werkplaats"
    assert refused(s, "p1", c.SetVideo(id="2", url=None)) == "forbidden"
    assert refused(s, "ob", c.SetVideo(id="3", url=None)) == "forbidden"
    s.do("fa", c.SetVideo(id="4", url=None))
    assert s.state.video_url is None
    s.do("fa", c.EndSession(id="5"))
    assert refused(s, "fa", c.SetVideo(id="6", url="https://x.example")) == "session_ended"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://files.example/x",
        "javascript:alert(1)",
        "meet.jit.si/werkplaats",
        "https://",
        "https:///pad",
        "https://meet.example/een kamer",
        "https://meet.example/\u202ekamer",
        "https://meet.example/\x00",
        "https://meet.example@elders.example/",
        "https://meet.example:poort/",
        "https://meet.example/" + "a" * 480,
    ],
)
def test_a_video_link_must_be_a_plain_web_address(url: str) -> None:
    s = Session()
    assert refused(s, "fa", c.SetVideo(id="1", url=url)) == "invalid"
    problem = c.video_url_problem(url)
    assert problem is not None and "http:// or https://" in problem
    assert s.state.video_url is None


def test_a_video_link_may_be_given_at_creation() -> None:
    created = ev.SessionCreated(
        "Intervisie", PHASES, (), "online", None, 4, False, False, video_url="https://v.example/1"
    )
    state = fold([ev.Event(1, None, 1.0, created)])
    assert state.video_url == "https://v.example/1"
    logged_before = (  # a session.created logged before there were video links
        b'{"type":"session.created","title":"Oud","phases":[],"goals":[],"modality":"online",'
        b'"capacity":null,"breakout_size":4,"anonymous_notes":false,"asynchronous":false}'
    )
    old = msgspec.json.decode(logged_before, type=ev.EventBody)
    assert isinstance(old, ev.SessionCreated) and old.video_url is None


def test_a_full_room_of_one_place_says_one_place() -> None:
    s = Session(capacity=1)
    s.do("p1", c.MoveLocation(id="1", location="room"))
    with pytest.raises(Refused) as caught:
        s.do("p2", c.MoveLocation(id="2", location="room"))
    assert "(1 place)" in caught.value.message
    with pytest.raises(Refused) as caught:
        decide_join(s.state, "p9", "Nina", "room")
    assert "(1 place)" in caught.value.message


def test_the_facilitator_who_started_the_session_cannot_be_locked_out() -> None:
    """A participant made co-facilitator (for a round, say) may do what facilitators do, but not
    take the role from, nor remove, the one who started the session; the starter can still
    hand the role over."""
    s = Session()
    s.do("fa", c.SetRole(id="1", participant="p1", role="facilitator"))
    assert refused(s, "p1", c.SetRole(id="2", participant="fa", role="participant")) == "forbidden"
    assert refused(s, "p1", c.RemoveParticipant(id="3", participant="fa")) == "forbidden"
    assert s.state.people["fa"].role == "facilitator" and not s.state.people["fa"].removed
    s.do("p1", c.SetRole(id="4", participant="p2", role="facilitator"))  # others: as before
    s.do("p1", c.RemoveParticipant(id="5", participant="p2"))
    s.do("fa", c.SetRole(id="6", participant="fa", role="participant"))  # the starter's own
    assert s.state.people["fa"].role == "participant"
