"""The browser's fold (sessions/client/state.js) equals the server's (sessions/state.py).

Generated sessions (the strategy of tests/sessions/test_state.py, with every other command
added) are viewed as each reader receives them (sessions/views.py), folded in Chromium from an
empty state and resumed from a welcome snapshot, and compared with the reader's welcome
snapshot, `project(state, reader)`, as JSON: numbers compare as numbers (JSON has no int and
float) and keys in any order, but a boolean is never a number.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import json
import re
import typing
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from playwright.sync_api import Browser, Page

from sessions import commands as c
from sessions import events as ev
from sessions import tools
from sessions.decide import Refused
from sessions.state import State, apply
from sessions.views import project, view
from tests.sessions.test_state import (
    NOTE_TEXT,
    PEOPLE,
    PHASES,
    VIDEO_URLS,
    Session,
    commands_for,
)

# Everyone in the generated sessions (a facilitator, participants, an observer who chats and
# raises hands) and a reader who never joined and so never authored anything.
READERS = (*PEOPLE, "nobody")

# Fold each case's events from nothing, giving the state after every event, and from each of
# its snapshots to the end; also say whether folding changed the events or the snapshots it was
# given (the state must share nothing with them).
FOLD = """async (input) => {
  const { emptyState, applyEvent, applyEvents, fromSnapshot } = await import(
    "/static/workspace/state.js"
  );
  return JSON.parse(input).map(({ events, resumes }) => {
    const given = JSON.stringify([events, resumes]);
    const state = emptyState();
    const steps = events.map((event) => JSON.stringify(applyEvent(state, event)));
    const resumed = resumes.map(({ seq, snapshot }) =>
      JSON.stringify(applyEvents(fromSnapshot(snapshot), events.filter((e) => e.seq > seq))),
    );
    return { steps, resumed, untouched: JSON.stringify([events, resumes]) === given };
  });
}"""


@pytest.fixture(scope="module")
def fold_page(browser: Browser, live_server: str) -> Iterator[Page]:
    """One page for the whole module: hypothesis runs many examples in one test."""
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    page.goto("/")
    yield page
    context.close()


ids = st.text("abcdef", min_size=1, max_size=4)


def every_command_for(s: Session) -> st.SearchStrategy[c.Command]:
    """test_state's commands and those it leaves out: people, agenda, timer, rounds, etc."""
    people = st.sampled_from([*PEOPLE, "x"])
    # A closing date only where agenda.set accepts one (an asynchronous session, in the future):
    # with one anywhere else every generated agenda would be refused, and agenda.set never folded.
    until = s.now + 3600 if s.state.asynchronous else None
    harvest = ev.AgendaPhase("Oogsten", 10, "harvest", "samen", "Wat neem je mee?", until=until)
    agendas = st.lists(st.sampled_from(PHASES[:3]), max_size=4).map(lambda p: [*p, harvest])
    roles = st.sampled_from(["facilitator", "co-facilitator", "participant", "observer"])
    label = NOTE_TEXT
    return st.one_of(
        commands_for(s),
        st.builds(c.Rename, id=ids, name=NOTE_TEXT),
        st.builds(c.MoveLocation, id=ids, location=st.sampled_from(["room", "remote"])),
        st.builds(c.RemoveParticipant, id=ids, participant=people),
        st.builds(c.SetRole, id=ids, participant=people, role=roles),
        st.builds(c.SetAgenda, id=ids, phases=agendas),
        st.builds(c.StartPhase, id=ids, index=st.integers(0, 4)),
        st.builds(c.PreviousPhase, id=ids),
        st.builds(c.PausePhase, id=ids),
        st.builds(c.ResumePhase, id=ids),
        st.builds(c.ExtendPhase, id=ids, minutes=st.integers(-60, 120)),
        st.builds(c.LockBoard, id=ids, locked=st.booleans()),
        st.builds(c.CloseVoting, id=ids),
        st.builds(c.StartRound, id=ids, order=st.lists(people, max_size=4, unique=True)),
        st.builds(c.EndRound, id=ids),
        st.builds(c.ConfigureChart, id=ids, x_low=label, x_high=label, y_low=label, y_high=label),
        st.builds(c.CloseBreakouts, id=ids),
        # Ending early would leave little to do (only chat and renames still work).
        *([st.builds(c.EndSession, id=ids)] if len(s.log) > 60 else []),
        *[st.builds(kind, id=ids) for kind in _without_strategy()],
    )


@functools.cache
def _without_strategy() -> tuple[type[c.Command], ...]:
    """The commands no strategy here names (a tool added since): built from their types, so a
    new tool's events are generated, folded and compared without a line here.

    Tried: without them in every_command_for, test_the_generated_logs_reach_every_event_type
    failed with "Left contains 2 more items, first extra item: 'reaction.sent'"."""
    source = "".join(
        inspect.getsource(function)
        for function in (commands_for, every_command_for, fitting_commands_for)
    )
    # and the terugblik's, sent in busy_sessions() as REVIEW_CHANGES
    named = set(re.findall(r"\bc\.([A-Z]\w+)", source)) | {
        type(command).__name__ for _, command in REVIEW_CHANGES
    }
    return tuple(
        sorted(
            (kind for kind in typing.get_args(tools.AnyCommand) if kind.__name__ not in named),
            key=lambda kind: kind.__name__,
        )
    )


def fitting_commands_for(s: Session) -> list[st.SearchStrategy[c.Command]]:
    """Commands aimed at what there is now, so that votes are cast and taken back, notes
    changed, speakers pass and groups are chosen again (uniform choices seldom get there)."""
    state = s.state
    fitting: list[st.SearchStrategy[c.Command]] = []
    notes = [n for n, note in state.notes.items() if not note.private]
    if notes:
        note = st.sampled_from(notes)
        clusters = st.none() | st.sampled_from([*state.clusters, "x"])
        fitting += [
            st.builds(c.EditNote, id=ids, note=note, text=NOTE_TEXT),
            st.builds(c.MoveNote, id=ids, note=note, x=st.floats(0, 1), y=st.floats(0, 1)),
            st.builds(c.ClusterNote, id=ids, note=note, cluster=clusters),
            st.builds(c.DeleteNote, id=ids, note=note),
        ]
    if state.clusters:
        cluster = st.sampled_from(list(state.clusters))
        fitting.append(st.builds(c.RenameCluster, id=ids, cluster=cluster, title=NOTE_TEXT))
    if any(note.private for note in state.notes.values()):
        fitting.append(st.builds(c.RevealNotes, id=ids))
    if not state.voting.open and notes:
        fitting.append(
            st.builds(c.OpenVoting, id=ids, budget=st.integers(1, 3), hidden=st.booleans())
        )
    if state.voting.budget and not state.voting.revealed:
        fitting.append(st.builds(c.RevealVotes, id=ids))
    if state.voting.open and (notes or state.clusters):
        target = st.sampled_from([*notes, *state.clusters])
        voted = st.sampled_from([*state.voting.tally] or ["x"])
        fitting += 3 * [st.builds(c.CastVote, id=ids, target=target)]
        fitting += 2 * [st.builds(c.RetractVote, id=ids, target=voted)]
    if state.round.current is not None:
        fitting += [st.builds(c.PassTurn, id=ids), st.builds(c.NextSpeaker, id=ids)]
        fitting.append(st.builds(c.EndRound, id=ids))
    if state.ends_at is not None:
        fitting.append(st.builds(c.PausePhase, id=ids))
    if state.remaining is not None:
        fitting.append(st.builds(c.ResumePhase, id=ids))
    if state.breakouts.open:
        group = st.sampled_from([*state.breakouts.groups, "x"])
        fitting += 2 * [st.builds(c.ChooseBreakout, id=ids, group=group)]
        fitting.append(st.builds(c.MessageBreakouts, id=ids, text=NOTE_TEXT))
        fitting.append(st.builds(c.SetBreakoutVideo, id=ids, group=group, url=VIDEO_URLS))
    if state.video_url is not None and not state.breakouts.open:  # groups with a room each
        modes = st.sampled_from(["random", "choice"])
        fitting.append(st.builds(c.OpenBreakouts, id=ids, mode=modes, rooms=st.just(True)))
    messages = [message.message for message in state.chat if not message.deleted]
    if messages:
        fitting.append(st.builds(c.DeleteChat, id=ids, message=st.sampled_from(messages)))
    if state.hands:
        hand = st.sampled_from(state.hands)
        fitting.append(st.builds(c.LowerHand, id=ids, participant=st.none() | hand))
        fitting.append(st.builds(c.RemoveParticipant, id=ids, participant=hand))
    return fitting


# A terugblik's actions: a member's (p1 is m1, p2 is m2), and the group's own.
REVIEW_ITEMS = (
    ev.ReviewItem("a1", "Bel de wijkcoach", "m1", "P1", "2027-01-31"),
    ev.ReviewItem("a2", "Agenda rondsturen", "m2", "P2"),
    ev.ReviewItem("a3", "Zaal reserveren"),
)
REVIEW_CHANGES = (
    ("p1", c.MarkActionDone(id="r1", action="a1")),
    ("p2", c.CarryAction(id="r2", action="a2", due=dt.date(2027, 3, 1))),
    ("p3", c.CarryAction(id="r3", action="a3")),
    ("p3", c.MarkActionDone(id="r4", action="a2")),  # refused: not p3's
    ("fa", c.MarkActionDone(id="r5", action="a3")),
)

# Refused for who asked, so asked again by a facilitator (who may do it, or pass for someone).
_ASK_A_FACILITATOR = {"forbidden", "not_your_turn", "not_your_note"}


@st.composite
def busy_sessions(draw: st.DrawFn) -> Session:
    """Like test_state's sessions(), but longer and with fewer commands refused: half of the
    commands fit the moment, and one refused for who asked is asked again by a facilitator."""
    s = Session()
    for _ in range(draw(st.integers(10, 80))):
        fitting = fitting_commands_for(s)
        fit: bool = draw(st.booleans())
        command = draw(st.one_of(fitting) if fitting and fit else every_command_for(s))
        actor = draw(st.sampled_from(PEOPLE))
        try:
            s.do(actor, command)
        except Refused as refused:
            facilitator = _facilitator_of(s)
            if refused.code in _ASK_A_FACILITATOR and facilitator not in (None, actor):
                try:
                    s.do(facilitator, command)
                except Refused:
                    pass
    # Sometimes the session ends at the end too, so that `session.ended` is folded also in logs
    # too short to end in the middle (EndSession is drawn only after 60 events).
    facilitator = _facilitator_of(s)
    if facilitator is not None and draw(st.booleans()):
        try:
            s.do(facilitator, c.EndSession(id="end"))
        except Refused:
            pass
    # Every other one a group's session: the server loads its terugblik and links members, and
    # owners change their actions. Fixed, not drawn: drawing here changed what hypothesis
    # generates above, and `breakout.chosen` went missing from the collection below.
    if len(s.log) % 2:
        s._append(None, ev.ReviewOpened(REVIEW_ITEMS))
        s._append(None, ev.MemberLinked("p1", "m1"))
        s._append(None, ev.MemberLinked("p2", "m2"))
        for actor, command in REVIEW_CHANGES:
            try:
                s.do(actor, command)
            except Refused:
                pass
    return s


def _facilitator_of(s: Session) -> str | None:
    """A facilitator still in the session."""
    return next(
        (p for p, who in s.state.people.items() if who.role == "facilitator" and not who.removed),
        None,
    )


def views(log: list[ev.Event], reader: str) -> list[ev.Event]:
    """The log as `reader` receives it (as tests/sessions/test_state.py Session.views)."""
    before = State()
    seen = []
    for event in log:
        seen.append(view(event, before, reader))
        apply(before, event)
    return seen


def welcome(state: State, reader: str) -> Any:
    """The welcome snapshot as the server sends it (sessions/api.py)."""
    return msgspec.to_builtins(project(state, reader))


def comparable(value: Any) -> Any:
    """JSON data in a form where 1 equals 1.0 but never True, and key order does not count."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [comparable(item) for item in value]
    return value


def fold_in_browser(page: Page, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = page.evaluate(FOLD, json.dumps(cases))
    return results


# Without shrinking: a failure names the first event after which a reader's states differ,
# which says more than a shrunk log, and shrinking these logs takes minutes. Generating these
# long sessions is slow on a busy machine (the first ten took 4.4 s at a load of 10 on two
# cores; 30 s fails the health check): no failure here either, as for the coverage test below.
@settings(
    max_examples=60,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(busy_sessions(), st.data())
def test_the_browser_folds_every_reader_s_view_to_their_welcome_snapshot(
    fold_page: Page, s: Session, data: st.DataObject
) -> None:
    log = s.log
    # Resume points: the start, the middle, the end and one anywhere.
    points = sorted({0, len(log) // 2, len(log), data.draw(st.integers(0, len(log)))})
    server = State()
    snapshots: dict[str, list[Any]] = {reader: [welcome(server, reader)] for reader in READERS}
    for event in log:
        apply(server, event)
        for reader in READERS:
            snapshots[reader].append(welcome(server, reader))
    cases = [
        {
            "events": msgspec.to_builtins(views(log, reader)),
            "resumes": [{"seq": k, "snapshot": snapshots[reader][k]} for k in points],
        }
        for reader in READERS
    ]
    for reader, result in zip(READERS, fold_in_browser(fold_page, cases), strict=True):
        for event, step, expected in zip(log, result["steps"], snapshots[reader][1:], strict=True):
            where = f"{reader} after seq {event.seq}, {msgspec.json.encode(event.body).decode()}"
            assert comparable(json.loads(step)) == comparable(expected), where
        final = comparable(snapshots[reader][-1])
        for k, resumed in zip(points, result["resumed"], strict=True):
            assert comparable(json.loads(resumed)) == final, f"{reader} resumed after seq {k}"
        assert result["untouched"], f"{reader}: folding changed its events or snapshots"


def event_types() -> set[str]:
    """The tag of every event body of the protocol (the union the decoder takes)."""
    return {body.__struct_config__.tag for body in typing.get_args(ev.EventBody)}


def test_the_generated_logs_reach_every_event_type() -> None:
    """The generator above makes every type of event, as some reader receives it (`hidden`
    included), so the parity test folds each of them: a new event type fails here until the
    generator makes it. Derandomized (the same 150 sessions each run, about a minute).

    Tried: without the closing EndSession in busy_sessions() `session.ended` (and, the draws
    shifting, `breakouts.closed`) is missing; before EndRound, PausePhase and ResumePhase were
    among the fitting commands, `round.ended` or the pauses went missing in some runs; with
    `breakout.room` added (its fitting commands shift every draw) the first 100 sessions missed
    `breakout.chosen` or `note.clustered` whichever way the breakout commands were weighted."""
    seen: set[str] = set()

    # Generating is slow on a busy machine (these sessions are long): that is no failure here.
    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(busy_sessions())
    def collect(s: Session) -> None:
        seen.update(str(event.body.__struct_config__.tag) for event in s.log)
        seen.update(str(event.body.__struct_config__.tag) for event in views(s.log, "nobody"))

    collect()
    assert len(event_types()) > 30, "found too few event types: the collection is broken"
    assert sorted(event_types() - seen) == []


def test_the_empty_state_is_the_server_s(fold_page: Page) -> None:
    empty = fold_page.evaluate(
        """async () => JSON.stringify(
             (await import("/static/workspace/state.js")).emptyState())"""
    )
    assert comparable(json.loads(empty)) == comparable(msgspec.to_builtins(State()))


def test_a_snapshot_without_newer_fields_still_folds(fold_page: Page) -> None:
    """A welcome from a server before video links and planned minutes (and with phases written
    before `until` and `guidance`)."""
    snapshot = welcome(State(), "p1")
    del snapshot["video_url"], snapshot["planned_minutes"], snapshot["voting"]["tally"]
    snapshot["phases"] = [{"name": "Oogsten", "minutes": 10, "tool": "harvest"}]
    events = [ev.Event(1, "p1", 5.0, ev.VoteCast("n1", 1)), ev.Event(2, "p1", 6.0, ev.HandRaised())]
    case = {"events": msgspec.to_builtins(events), "resumes": [{"seq": 0, "snapshot": snapshot}]}
    [result] = fold_in_browser(fold_page, [case])
    state = json.loads(result["resumed"][0])
    assert state["video_url"] is None
    assert state["voting"]["tally"] == {"n1": 1} and state["voting"]["ballots"] == {"p1": {"n1": 1}}
    assert state["hands"] == ["p1"] and state["seq"] == 2
    assert state["phases"] == [
        {
            "name": "Oogsten",
            "minutes": 10,
            "tool": "harvest",
            "purpose": "",
            "instructions": "",
            "until": None,
            "guidance": "",
        }
    ]
    assert state["planned_minutes"] is None


def test_rare_events_and_those_the_server_never_makes_fold_alike(fold_page: Page) -> None:
    """The folds agree also on what generated sessions seldom reach (a video link at creation,
    a shorter agenda, a removed person's hand, the end) and where only their defensive rules
    decide: a hand raised twice, a vote taken back that was never cast, an unknown group, and
    ids that name Object properties (server-made ids are random: one may be "constructor")."""
    created = ev.SessionCreated(
        "Intervisie", PHASES, (), "online", None, 4, False, False, video_url="https://v.example"
    )
    bodies: list[tuple[str | None, ev.EventBody]] = [
        (None, created),
        (None, ev.ParticipantJoined("toString", "T", "participant", "remote")),
        (None, ev.ParticipantRenamed("valueOf", "V")),
        ("toString", ev.NoteAdded("constructor", "hoi", 0.5, 0.5, False, False, None)),
        (None, ev.VotingOpened(3, False)),
        ("toString", ev.VoteCast("constructor", 1)),
        (None, ev.VoteCast("hasOwnProperty", 1)),
        (None, ev.NotesRevealed({"toString": ev.RevealedNote(None, "x", 0, 0, True, None, None)})),
        (None, ev.ChartRevealed({"valueOf": ("now", 0.1, 0.2)})),
        (None, ev.BreakoutsOpened("choice", {"groep-1": ()})),
        ("toString", ev.BreakoutChosen("constructor")),
        ("toString", ev.ClusterRenamed("constructor", "c")),
        (None, ev.NoteDeleted("constructor")),
        ("toString", ev.HandRaised()),
        ("toString", ev.HandRaised()),
        (None, ev.HandRaised()),
        (None, ev.HandLowered("valueOf")),
        ("p1", ev.VoteCast("n1", -1)),
        ("p1", ev.VoteCast("n1", 1)),
        ("p1", ev.VoteCast("n1", 1)),
        ("p1", ev.VoteCast("n1", -1)),
        ("p1", ev.BreakoutChosen("groep-9")),
        ("p1", ev.BreakoutChosen("groep-1")),
        (None, ev.BreakoutChosen("groep-1")),
        (None, ev.RoundStarted(("p1", "toString"))),
        (None, ev.RoundAdvanced(7, True)),
        (None, ev.RoundAdvanced(None, True)),
        (None, ev.PhaseStarted(3, 2e6)),
        (None, ev.AgendaSet(PHASES[2:])),
        (None, ev.AgendaSet(())),
        ("p1", ev.HandRaised()),
        (None, ev.ParticipantRemoved("p1")),
        (None, ev.PhaseStarted(0, 2e6)),
        (None, ev.SessionEnded()),
    ]
    log = [ev.Event(seq, actor, 1.0, body) for seq, (actor, body) in enumerate(bodies, 1)]
    [result] = fold_in_browser(fold_page, [{"events": msgspec.to_builtins(log), "resumes": []}])
    server = State()
    for event, step in zip(log, result["steps"], strict=True):
        apply(server, event)
        where = f"after seq {event.seq}, {msgspec.json.encode(event.body).decode()}"
        assert comparable(json.loads(step)) == comparable(msgspec.to_builtins(server)), where
