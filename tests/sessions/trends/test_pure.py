"""The pure parts of the trends: what a session gives, who counts as one person, the rule of five,
consent, quarters, and the SVG chart (every label escaped, no inline style)."""

from __future__ import annotations

import datetime as dt
import re

from server.i18n import translator
from sessions.harvest.answers import narrowed
from sessions.state import State
from sessions.tools.chart import Chart, Marker
from sessions.trends.aggregate import (
    MIN_PEOPLE,
    Seen,
    counts_for,
    level_of,
    person_of,
    points,
    quarter,
)
from sessions.trends.observe import Observation, observations
from sessions.trends.svg import Line, line_chart
from sessions.trends.views import Column, Series, trend_chart


def _ratings(people: int, column: str = "2026-Q4", value: float = 4.0) -> list[Seen]:
    return [Seen(column, f"participant:1:p{n}", "goal:reflecteren", value) for n in range(people)]


def test_a_session_gives_the_ratings_of_its_goals_and_every_owned_marker() -> None:
    state = State(
        goals=["reflecteren"],
        chart=Chart(
            markers={
                "k1": Marker("p1", "now", 0.2, 0.3),
                "k2": Marker("p1", "desired", 0.8, 0.9),
                "k3": Marker(None, "now", 0.5, 0.5),  # an owner not known: not counted
            }
        ),
    )
    found = observations(state, {"p1": {"reflecteren": 4, "weg": 2}, "p2": {"reflecteren": 5}})
    assert found == [
        Observation("p1", "goal:reflecteren", 4.0),
        Observation("p2", "goal:reflecteren", 5.0),
        Observation("p1", "desired", 0.8, 0.9),
        Observation("p1", "now", 0.2, 0.3),
    ]


def test_four_people_show_nothing_and_five_show_a_point() -> None:
    assert MIN_PEOPLE == 5
    assert points(_ratings(4), MIN_PEOPLE) == {}
    found = points(_ratings(5), MIN_PEOPLE)
    point = found["goal:reflecteren"]["2026-Q4"]
    assert (point.n, point.x.mean, point.x.sd, point.y) == (5, 4.0, 0.0, None)
    # Within the group there is no minimum: one person is a point.
    assert points(_ratings(1))["goal:reflecteren"]["2026-Q4"].n == 1


def test_a_member_counts_once_across_sessions_and_weighs_once() -> None:
    # Four members, each in two sessions of the quarter: still four people, so nothing.
    seen = [
        Seen("2026-Q4", person_of(f"m{n}", outcome, f"p{outcome}{n}"), "now", 0.5, 0.5)
        for n in range(4)
        for outcome in (1, 2)
    ]
    assert points(seen, MIN_PEOPLE) == {}
    # Had they not been members, each session would count them apart: eight people.
    as_participants = [
        Seen("2026-Q4", person_of(None, outcome, f"p{n}"), "now", 0.5, 0.5)
        for n in range(4)
        for outcome in (1, 2)
    ]
    assert points(as_participants, MIN_PEOPLE)["now"]["2026-Q4"].n == 8
    # A member's own values are averaged before the group's mean: two ratings of 1 and 5 by
    # one member and a 3 by someone else give a mean of 3 with no spread.
    mixed = [
        Seen("c", "member:m1", "goal:g", 1.0),
        Seen("c", "member:m1", "goal:g", 5.0),
        Seen("c", "participant:1:p2", "goal:g", 3.0),
    ]
    point = points(mixed)["goal:g"]["c"]
    assert (point.n, point.x.mean, point.x.sd) == (2, 3.0, 0.0)


def test_consent_and_sharing_decide_who_counts_and_a_narrowed_consent_drops_out() -> None:
    assert level_of(user_known=False, region_reader=False) == "open"
    assert level_of(user_known=True, region_reader=False) == "national"
    assert level_of(user_known=True, region_reader=True) == "region"
    assert counts_for("region", "region", "region")
    assert counts_for("region", "open", "region")  # shared wider, consent to the region
    assert not counts_for("region", "region", "no")
    assert not counts_for("national", "region", "open")  # the outcome stays in the region
    assert not counts_for("open", "open", "national")
    assert not counts_for("region", "group", "open")
    # Five consented; one narrows to "no" after the outcome was saved: four remain, nothing.
    frozen = {f"p{n}": "region" for n in range(5)}
    now = narrowed(frozen, {**frozen, "p0": "no"})
    seen = [
        Seen("2026-Q4", person_of(None, 1, p), "goal:g", 4.0)
        for p, consent in now.items()
        if counts_for("region", "region", consent)
    ]
    assert len(seen) == 4 and points(seen, MIN_PEOPLE) == {}


def test_quarters_sort_by_time() -> None:
    days = [dt.date(2027, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 4, 1), dt.date(2026, 3, 31)]
    assert [quarter(d) for d in days] == ["2027-Q1", "2026-Q4", "2026-Q2", "2026-Q1"]
    assert sorted(quarter(d) for d in days) == ["2026-Q1", "2026-Q2", "2026-Q4", "2027-Q1"]


EVIL = '<script>alert("x")</script> & "quoted"'


def test_every_label_of_the_chart_is_escaped_and_it_has_no_inline_style() -> None:
    svg = line_chart(
        'id"><b>',
        EVIL,
        EVIL,
        [(EVIL, "12 december 2026"), ("Sessie 2",)],
        [Line(EVIL, [(3.0, 0.5), None]), Line("tweede", [None, (4.0, None)])],
        1.0,
        5.0,
        [(1.0, EVIL), (5.0, "5")],
    )
    assert "<script>" not in svg and "<b>" not in svg
    assert svg.count("&lt;script&gt;") == 5  # title, desc, column, line label, tick
    assert "style" not in svg
    assert re.search(r'<title id="[^"<]*-title">', svg) and "<desc id=" in svg
    assert 'role="img"' in svg
    assert svg.count("<circle") == 2 + 2  # one point each, and each line's legend


def test_a_chart_and_its_table_give_the_same_numbers() -> None:
    _ = translator("nl")
    columns = [Column("1", ("Sessie 1",), "Sessie 1"), Column("2", ("Sessie 2",), "Sessie 2")]
    found = points(
        [
            Seen("1", "a", "goal:g", 4.0),
            Seen("1", "b", "goal:g", 2.0),
            Seen("2", "a", "now", 0.25, 0.5),
        ]
    )
    ratings = trend_chart("r", "Doelen", columns, [Series("Reflecteren", "goal:g")], found, _, "nl")
    assert ratings.shown == 1
    assert [row.cells for row in ratings.rows] == [("3,0 (spreiding 1,0; 2 mensen)",), ("–",)]
    chart = trend_chart(
        "c",
        "Nu",
        columns,
        [Series("Horizontaal", "now", "x"), Series("Verticaal", "now", "y")],
        found,
        _,
        "nl",
        positions=True,
        own=True,
    )
    assert [row.cells for row in chart.rows] == [("–", "–"), ("25", "50")]
    assert chart.headings == ("Horizontaal", "Verticaal") and chart.shown == 2
