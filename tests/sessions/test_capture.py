"""Capturing what a session produced, from hand-built states (sessions/capture.py is pure)."""

from __future__ import annotations

import json
import math

import pytest

from sessions import events as ev
from sessions.capture import capture
from sessions.state import (
    Chart,
    Cluster,
    Marker,
    Note,
    Person,
    Round,
    State,
    Voting,
    fold,
)

NAMES = ("Anna de Boer", "Bram Bakker", "Chris Smit", "Dewi Jansen", "Eva Visser", "Fenna")


def note(
    author: str | None,
    text: str,
    *,
    cluster: str | None = None,
    group: str | None = None,
    anonymous: bool = False,
    private: bool = False,
) -> Note:
    return Note(author, text, 0.1, 0.2, anonymous, private, group, cluster)


def session_state() -> State:
    """A session after its board, vote, round and chart, with names everywhere it has them."""
    return State(
        title="Intervisie Noord",
        goals=["reflecteren"],
        phase=3,
        people={
            "u1": Person("Fenna", "facilitator", "room"),
            "pa": Person("Anna de Boer", "participant", "room"),
            "pb": Person("Bram Bakker", "participant", "remote"),
            "pc": Person("Chris Smit", "participant", "remote", removed=True),
            "pd": Person("Dewi Jansen", "observer", "room"),
            "pe": Person("Eva Visser", "co-facilitator", "remote"),
        },
        notes={
            "n1": note("pa", "Samen casussen bespreken", cluster="c1"),
            "n2": note("pb", "Tijd maken voor reflectie", cluster="c1", anonymous=True),
            "n3": note("pa", "Mijn geheime gedachte", private=True),
            "n4": note("pe", "Terugkoppeling aan het team"),
            "n5": note("pb", "Groepje twee denkt mee", cluster="c2", group="g2"),
            "n6": note("pb", "Notitie van groepje twee", group="g2"),
            "n7": note("pa", "Verwijst naar een cluster dat er niet is", cluster="weg"),
        },
        clusters={"c1": Cluster("Samen leren", None), "c2": Cluster("Groep twee", "g2")},
        voting=Voting(tally={"c1": 4, "n1": 2, "n4": 1, "n3": 3}),
        round=Round(order=["pa", "pb", "pe"], current=None, passed=["pb"]),
        chart=Chart(
            x_low="individueel",
            x_high="collectief",
            y_low="formeel",
            y_high="informeel",
            markers={
                "m1": Marker("pa", "now", 0.2, 0.4),
                "m2": Marker("pb", "now", 0.4, 0.8),
                "m3": Marker("pa", "desired", 0.9, 0.5),
            },
        ),
    )


def test_clusters_carry_their_notes_and_votes_and_group_boards_stay_apart() -> None:
    captured = capture(session_state())
    assert captured["clusters"] == [
        {
            "title": "Samen leren",
            "group": None,
            "votes": 4,
            "notes": [
                {"text": "Samen casussen bespreken", "by": "pa", "votes": 2, "anonymous": False},
                {"text": "Tijd maken voor reflectie", "by": "pb", "votes": 0, "anonymous": True},
            ],
        },
        {
            "title": "Groep twee",
            "group": "g2",
            "votes": 0,
            "notes": [
                {"text": "Groepje twee denkt mee", "by": "pb", "votes": 0, "anonymous": False}
            ],
        },
    ]
    assert captured["unclustered"] == [
        {
            "text": "Terugkoppeling aan het team",
            "by": "pe",
            "votes": 1,
            "anonymous": False,
            "group": None,
        },
        {
            "text": "Notitie van groepje twee",
            "by": "pb",
            "votes": 0,
            "anonymous": False,
            "group": "g2",
        },
        {
            "text": "Verwijst naar een cluster dat er niet is",
            "by": "pa",
            "votes": 0,
            "anonymous": False,
            "group": None,
        },
    ]
    assert captured["round"] == {"order": ["pa", "pb", "pe"], "passed": ["pb"]}
    assert captured["chat"] == []


def test_a_private_note_never_revealed_never_appears() -> None:
    captured = capture(session_state())
    assert "Mijn geheime gedachte" not in json.dumps(captured, ensure_ascii=False)
    texts = [n["text"] for c in captured["clusters"] for n in c["notes"]]
    texts += [n["text"] for n in captured["unclustered"]]
    assert len(texts) == 6


def test_an_anonymous_note_keeps_its_author_id_and_says_it_is_anonymous() -> None:
    captured = capture(session_state())
    anonymous = [
        n for c in captured["clusters"] for n in c["notes"] if n["text"].startswith("Tijd")
    ]
    assert anonymous == [
        {"text": "Tijd maken voor reflectie", "by": "pb", "votes": 0, "anonymous": True}
    ]


def test_no_display_name_appears_anywhere() -> None:
    text = json.dumps(capture(session_state()), ensure_ascii=False)
    for name in NAMES:
        assert name not in text
    assert "Anna" not in text and "Bram" not in text


def test_the_chart_is_an_aggregate_with_markers_without_owners() -> None:
    chart = capture(session_state())["chart"]
    assert (chart["x_low"], chart["x_high"], chart["y_low"], chart["y_high"]) == (
        "individueel",
        "collectief",
        "formeel",
        "informeel",
    )
    assert chart["now"]["n"] == 2
    assert chart["now"]["x"]["mean"] == pytest.approx(0.3)
    assert chart["now"]["x"]["sd"] == pytest.approx(0.1)  # population sd of 0.2 and 0.4
    assert chart["now"]["y"]["mean"] == pytest.approx(0.6)
    assert chart["now"]["y"]["sd"] == pytest.approx(0.2)
    assert chart["desired"] == {
        "x": {"mean": 0.9, "sd": 0.0},
        "y": {"mean": 0.5, "sd": 0.0},
        "n": 1,
    }
    assert chart["markers"] == [
        {"kind": "desired", "x": 0.9, "y": 0.5},
        {"kind": "now", "x": 0.2, "y": 0.4},
        {"kind": "now", "x": 0.4, "y": 0.8},
    ]
    assert all(set(marker) == {"kind", "x", "y"} for marker in chart["markers"])


def test_a_chart_without_markers_has_no_mean() -> None:
    chart = capture(State())["chart"]
    assert chart["now"] == {
        "x": {"mean": None, "sd": None},
        "y": {"mean": None, "sd": None},
        "n": 0,
    }
    assert chart["markers"] == []


def test_attendance_counts_who_took_part_in_the_room_and_remote() -> None:
    # pc was removed, pd observed: neither counts. u1 and pa in the room; pb and pe remote.
    assert capture(session_state())["attendance"] == {"room": 2, "remote": 2, "total": 4}


def test_the_spread_is_exact_for_many_markers() -> None:
    xs = [i / 100 for i in range(101)]
    state = State(
        chart=Chart(markers={f"m{i}": Marker(None, "now", x, 0.5) for i, x in enumerate(xs)})
    )
    now = capture(state)["chart"]["now"]
    mean = sum(xs) / len(xs)
    assert now["x"]["mean"] == pytest.approx(mean)
    assert now["x"]["sd"] == pytest.approx(
        math.sqrt(sum((x - mean) ** 2 for x in xs) / len(xs)), abs=1e-4
    )
    assert now["y"] == {"mean": 0.5, "sd": 0.0}


def test_captured_from_a_folded_log_with_a_reveal() -> None:
    """The fold's full state: a private note revealed later is in, one never revealed is out."""
    phases = (ev.AgendaPhase("Bord", 10, "board"), ev.AgendaPhase("Oogst", 10, "harvest"))
    bodies: list[tuple[str | None, ev.EventBody]] = [
        (None, ev.SessionCreated("S", phases, ("reflecteren",), "online", None, 4, False, False)),
        (None, ev.ParticipantJoined("pa", "Anna de Boer", "participant", "remote")),
        (None, ev.ParticipantJoined("pb", "Bram Bakker", "participant", "remote")),
        (None, ev.PhaseStarted(0, None)),
        ("pa", ev.NoteAdded("n1", "Eerst voor mezelf", 0.1, 0.1, False, True, None)),
        ("pb", ev.NoteAdded("n2", "Blijft privé", 0.2, 0.2, True, True, None)),
        (
            None,
            ev.NotesRevealed(
                {"n1": ev.RevealedNote("pa", "Eerst voor mezelf", 0.1, 0.1, False, None, None)}
            ),
        ),
        ("pa", ev.NoteAdded("n3", "Zonder naam", 0.3, 0.3, True, False, None)),
        (None, ev.VotingOpened(3, True)),
        ("pb", ev.VoteCast("n1", 1)),
        ("pa", ev.VoteCast("n1", 1)),
        ("pa", ev.VoteCast("n3", 1)),
        ("pa", ev.VoteCast("n3", -1)),
        ("pa", ev.MarkerPlaced("mk1", "now", 0.25, 0.75)),
    ]
    state = fold(ev.Event(i + 1, actor, float(i), body) for i, (actor, body) in enumerate(bodies))
    captured = capture(state)
    assert captured["unclustered"] == [
        {"text": "Eerst voor mezelf", "by": "pa", "votes": 2, "anonymous": False, "group": None},
        {"text": "Zonder naam", "by": "pa", "votes": 0, "anonymous": True, "group": None},
    ]
    assert captured["chart"]["markers"] == [{"kind": "now", "x": 0.25, "y": 0.75}]
    assert captured["attendance"] == {"room": 0, "remote": 2, "total": 2}
    text = json.dumps(captured, ensure_ascii=False)
    assert "Blijft privé" not in text and "Anna" not in text and "Bram" not in text
