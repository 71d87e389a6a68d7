"""The positioning chart: two axes, a "now" and a "desired" marker per participant, seen by
their owner only until the chart is revealed, then by all, anonymously. A person's two markers
are each other's `partner`, so that the chart can draw one arrow per person from now to desired
without saying whose it is."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from sessions.tools import base
from sessions.tools.base import Body, Command, Rule

if TYPE_CHECKING:
    from sessions.tools import State

AGENDA_TOOLS: tuple[base.Tool, ...] = ("position-chart",)
MarkerKind = Literal["now", "desired"]
MARKER_KINDS = ("now", "desired")


class ChartConfigured(Body, tag="chart.configured"):
    x_low: str
    x_high: str
    y_low: str
    y_high: str


class MarkerPlaced(Body, tag="marker.placed"):
    marker: str  # one per participant and kind; its id does not reveal who placed it
    kind: MarkerKind
    x: float  # 0..1
    y: float  # 0..1
    partner: str | None = None  # the placer's marker of the other kind, if they placed it


class ChartRevealed(Body, tag="chart.revealed"):
    markers: dict[str, tuple[MarkerKind, float, float]]  # marker -> (kind, x, y), anonymous
    # A person's two markers (now, desired), sorted: who placed which pair stays unknown.
    pairs: list[tuple[str, str]] = msgspec.field(default_factory=list)


Events = ChartConfigured | MarkerPlaced | ChartRevealed


class ConfigureChart(Command, tag="chart.configure"):
    x_low: base.Title
    x_high: base.Title
    y_low: base.Title
    y_high: base.Title


class RevealChart(Command, tag="chart.reveal"):
    pass


class PlaceMarker(Command, tag="marker.place"):
    kind: MarkerKind
    x: base.Unit
    y: base.Unit


Commands = ConfigureChart | RevealChart | PlaceMarker


class Marker(msgspec.Struct):
    owner: str | None  # None where the reader may not know
    kind: MarkerKind
    x: float
    y: float
    partner: str | None = None  # the same person's marker of the other kind


class Chart(msgspec.Struct):
    x_low: str = "individueel"
    x_high: str = "collectief"
    y_low: str = "formeel"
    y_high: str = "informeel"
    markers: dict[str, Marker] = msgspec.field(default_factory=dict)
    revealed: bool = False


def _configure_chart(
    state: State, actor: str, cmd: ConfigureChart, now: float, new_id: base.IdMaker
) -> list[Events]:
    return [ChartConfigured(cmd.x_low, cmd.x_high, cmd.y_low, cmd.y_high)]


def _reveal_chart(
    state: State, actor: str, cmd: RevealChart, now: float, new_id: base.IdMaker
) -> list[Events]:
    markers = {m: (marker.kind, marker.x, marker.y) for m, marker in state.chart.markers.items()}
    pairs = sorted(
        (m, marker.partner)
        for m, marker in state.chart.markers.items()
        if marker.kind == "now" and marker.partner is not None
    )
    return [ChartRevealed(markers, pairs)]


def _place_marker(
    state: State, actor: str, cmd: PlaceMarker, now: float, new_id: base.IdMaker
) -> list[Events]:
    same, partner = None, None
    for marker_id, marker in state.chart.markers.items():
        if marker.owner == actor:
            if marker.kind == cmd.kind:
                same = marker_id
            else:
                partner = marker_id
    return [MarkerPlaced(same or new_id(), cmd.kind, cmd.x, cmd.y, partner)]


RULES: dict[type[Command], Rule[Events]] = {
    ConfigureChart: Rule(base.FACILITATORS, _configure_chart),
    RevealChart: Rule(base.FACILITATORS, _reveal_chart),
    PlaceMarker: Rule(base.PARTICIPANTS, _place_marker),
}


def _chart_configured(state: State, event: base.Stamp, body: ChartConfigured) -> None:
    chart = state.chart
    chart.x_low, chart.x_high, chart.y_low, chart.y_high = (
        body.x_low,
        body.x_high,
        body.y_low,
        body.y_high,
    )


def _marker_placed(state: State, event: base.Stamp, body: MarkerPlaced) -> None:
    markers = state.chart.markers
    markers[body.marker] = Marker(event.actor, body.kind, body.x, body.y, body.partner)
    _pair(markers, body.marker, body.partner)


def _pair(markers: dict[str, Marker], one: str, other: str | None) -> None:
    """Makes two markers each other's partner (when the reader sees both)."""
    if other is not None and one in markers and other in markers:
        markers[one].partner = other
        markers[other].partner = one


def _chart_revealed(state: State, event: base.Stamp, body: ChartRevealed) -> None:
    chart = state.chart
    chart.revealed = True
    for marker_id, (kind, x, y) in body.markers.items():
        known = chart.markers.get(marker_id)
        owner = known.owner if known is not None else None
        partner = known.partner if known is not None else None
        chart.markers[marker_id] = Marker(owner, kind, x, y, partner)
    for now, desired in body.pairs:
        _pair(chart.markers, now, desired)


FOLD: dict[type[Body], base.Fold] = {
    ChartConfigured: _chart_configured,
    MarkerPlaced: _marker_placed,
    ChartRevealed: _chart_revealed,
}


def _marker_seen(state: State, actor: str, body: MarkerPlaced) -> base.Seen | None:
    if state.chart.revealed:
        return base.Seen()
    return base.Seen("marker")


AUDIENCE: dict[type[Body], base.AudienceRule] = {MarkerPlaced: _marker_seen}


def project(state: State, mine: State, reader: str | None) -> None:
    """A reader's markers: their own until the chart is revealed, then all, without owners."""
    mine.chart.markers = {
        marker_id: Marker(
            marker.owner if marker.owner == reader else None,
            marker.kind,
            marker.x,
            marker.y,
            marker.partner,
        )
        for marker_id, marker in state.chart.markers.items()
        if state.chart.revealed or marker.owner == reader
    }


FIELDS: dict[type[Any], base.Fields] = {
    ChartConfigured: base.Fields(text=("x_low", "x_high", "y_low", "y_high")),
    MarkerPlaced: base.Fields(ids=("marker", "partner")),
    ChartRevealed: base.Fields(ids=("markers", "pairs")),
}


def capture(state: State) -> dict[str, Any]:
    """The chart as an aggregate per kind and as markers without owners."""
    chart = state.chart
    # Sorted by place, not by when they were placed: the order must not hint at who placed them.
    markers = sorted(chart.markers.values(), key=lambda m: (m.kind, m.x, m.y))
    result: dict[str, Any] = {
        "x_low": chart.x_low,
        "x_high": chart.x_high,
        "y_low": chart.y_low,
        "y_high": chart.y_high,
    }
    for kind in MARKER_KINDS:
        xs = [m.x for m in markers if m.kind == kind]
        ys = [m.y for m in markers if m.kind == kind]
        result[kind] = {"x": _spread(xs), "y": _spread(ys), "n": len(xs)}
    result["markers"] = [{"kind": m.kind, "x": m.x, "y": m.y} for m in markers]
    return {"chart": result}


def _spread(values: list[float]) -> dict[str, float | None]:
    """Mean and (population) standard deviation; both None without values."""
    if not values:
        return {"mean": None, "sd": None}
    mean = math.fsum(values) / len(values)
    variance = math.fsum((v - mean) ** 2 for v in values) / len(values)
    return {"mean": round(mean, 4), "sd": round(math.sqrt(variance), 4)}
