"""A person's two chart markers are each other's partner: the reveal tells every reader which
markers belong together (so the chart can draw one arrow per person), never whose they are."""

from __future__ import annotations

from sessions import commands as c
from sessions import events as ev
from sessions.views import project
from tests.sessions.test_state import Session


def place(s: Session, actor: str, kind: str, x: float, y: float) -> None:
    s.do(actor, c.PlaceMarker(id=f"{actor}-{kind}", kind=kind, x=x, y=y))  # type: ignore[arg-type]


def test_the_reveal_pairs_each_persons_markers_without_their_owners() -> None:
    s = Session()
    place(s, "p1", "now", 0.2, 0.2)
    place(s, "p1", "desired", 0.8, 0.8)
    place(s, "p2", "desired", 0.6, 0.4)
    place(s, "p2", "now", 0.1, 0.9)
    place(s, "p3", "now", 0.5, 0.5)  # no desired: no pair
    [revealed] = s.do("fa", c.RevealChart(id="reveal"))
    assert isinstance(revealed.body, ev.ChartRevealed)
    markers = s.state.chart.markers
    owners = {(marker.owner, marker.kind): marker_id for marker_id, marker in markers.items()}
    expected = sorted(
        (owners[(person, "now")], owners[(person, "desired")]) for person in ("p1", "p2")
    )
    assert revealed.body.pairs == expected

    seen = project(s.state, "p3")
    for person in ("p1", "p2"):
        now = seen.chart.markers[owners[(person, "now")]]
        desired = seen.chart.markers[owners[(person, "desired")]]
        assert (now.partner, desired.partner) == (
            owners[(person, "desired")],
            owners[(person, "now")],
        )
        assert now.owner is None and desired.owner is None
    assert seen.chart.markers[owners[("p3", "now")]].partner is None


def test_moving_a_marker_after_the_reveal_keeps_its_partner_for_everyone() -> None:
    s = Session()
    place(s, "p1", "now", 0.2, 0.2)
    s.do("fa", c.RevealChart(id="reveal"))
    place(s, "p1", "desired", 0.7, 0.3)
    place(s, "p1", "now", 0.3, 0.1)
    seen = project(s.state, "p2")
    [(now_id, now)] = [
        (m, marker) for m, marker in seen.chart.markers.items() if marker.kind == "now"
    ]
    [(desired_id, desired)] = [
        (m, marker) for m, marker in seen.chart.markers.items() if marker.kind == "desired"
    ]
    assert (now.partner, desired.partner) == (desired_id, now_id)
    assert (now.x, now.y) == (0.3, 0.1)
