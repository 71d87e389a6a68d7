"""Trend charts with their table alternative, pure: from points per measure and column to what a
page shows (an SVG chart and a table with the same numbers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from server.formatting import format_number
from server.i18n import Translator
from sessions.trends.aggregate import Point
from sessions.trends.svg import Line, line_chart

RATING_TICKS = tuple((float(n), str(n)) for n in range(1, 6))
POSITION_TICKS = tuple((float(n), str(n)) for n in (0, 25, 50, 75, 100))


@dataclass(frozen=True)
class Column:
    key: str  # a session's outcome id or a quarter ("2026-Q4")
    label: tuple[str, ...]  # one or two lines under the chart
    heading: str  # the table's row heading


@dataclass(frozen=True)
class Series:
    label: str
    measure: str
    axis: str = "x"  # which coordinate of the measure: "x" (a rating, or across) or "y"


@dataclass(frozen=True)
class TableRow:
    heading: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class ChartView:
    ident: str
    title: str
    svg: Markup
    headings: tuple[str, ...]  # one per series
    rows: tuple[TableRow, ...]  # one per column
    shown: int  # how many points the chart shows


def _value(point: Point | None, axis: str, scale: float) -> tuple[float, float | None] | None:
    if point is None:
        return None
    spread = point.x if axis == "x" else point.y
    if spread is None:
        return None
    return spread.mean * scale, spread.sd * scale


def trend_chart(
    ident: str,
    title: str,
    columns: Sequence[Column],
    series: Sequence[Series],
    found: Mapping[str, Mapping[str, Point]],
    _: Translator,
    language: str,
    positions: bool = False,
    missing: str = "–",
    own: bool = False,
) -> ChartView:
    """A chart of `series` over `columns`; ratings on 1-5, positions (0..1) as 0-100.
    `missing`: what the table says where a column has no point; `own`: one person's values
    (no spread, no count)."""
    scale = 100.0 if positions else 1.0
    lines = []
    rows: list[list[str]] = [[] for _column in columns]
    for s in series:
        values = [_value(found.get(s.measure, {}).get(c.key), s.axis, scale) for c in columns]
        lines.append(Line(s.label, values))
        for index, column in enumerate(columns):
            point = found.get(s.measure, {}).get(column.key)
            value = values[index]
            if point is None or value is None:
                rows[index].append(missing)
                continue
            decimals = 0 if positions else 1
            if own:
                rows[index].append(format_number(value[0], decimals, language))
                continue
            rows[index].append(
                _("%(mean)s (spread %(sd)s; %(n)s people)")
                % {
                    "mean": format_number(value[0], decimals, language),
                    "sd": format_number(value[1] or 0.0, decimals, language),
                    "n": point.n,
                }
            )
    shown = sum(1 for line in lines for value in line.values if value is not None)
    scale_text = (
        _("0 is one end of the axis, 100 the other.")
        if positions
        else _("1 is not at all, 5 is fully.")
    )
    desc = " ".join(
        [
            _("Your own place per column.")
            if own
            else _("Mean per column with its spread (the bar through each point)."),
            scale_text,
            _("The table below gives the same numbers."),
        ]
    )
    svg = line_chart(
        ident,
        title,
        desc,
        [c.label for c in columns],
        lines,
        0.0 if positions else 1.0,
        100.0 if positions else 5.0,
        POSITION_TICKS if positions else RATING_TICKS,
    )
    return ChartView(
        ident,
        title,
        svg,
        tuple(s.label for s in series),
        tuple(TableRow(c.heading, tuple(r)) for c, r in zip(columns, rows, strict=True)),
        shown,
    )
