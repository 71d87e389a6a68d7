"""A line chart as SVG markup, pure: columns (sessions or quarters) along the bottom, one line per
series with its mean in each column and the spread as a bar through it.

Every label is escaped here; the markup uses presentation attributes only (the CSP forbids
inline style). Series differ in colour and in dash pattern, so they are told apart without
colour too; the table beside each chart gives the same numbers (sessions/trends/views.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LEFT = 48
RIGHT = 16
TOP = 16
PLOT_HEIGHT = 200
COLUMN_LABELS = 44  # room for two lines of a column's label
LEGEND_ROW = 22
COLOURS = ("#0b5c73", "#9c4100", "#5b2a86", "#2f6b2f", "#8a1c4a", "#4a5263")
DASHES = ("", "6 4", "2 3", "10 3 2 3", "1 5", "12 6")


@dataclass(frozen=True)
class Line:
    label: str
    values: Sequence[tuple[float, float | None] | None]  # per column: (mean, spread) or nothing


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def line_chart(
    ident: str,
    title: str,
    desc: str,
    columns: Sequence[Sequence[str]],
    lines: Sequence[Line],
    low: float,
    high: float,
    ticks: Sequence[tuple[float, str]],
) -> Markup:
    """The chart: `columns` each a label of one or two lines, `lines` each with one value per
    column, the vertical scale from `low` to `high` with labelled `ticks`."""
    height = TOP + PLOT_HEIGHT + COLUMN_LABELS + LEGEND_ROW * len(lines) + 8
    right = WIDTH - RIGHT
    bottom = TOP + PLOT_HEIGHT

    def y_of(value: float) -> str:
        share = (min(max(value, low), high) - low) / (high - low)
        return _number(bottom - share * PLOT_HEIGHT)

    inner = right - LEFT - 120  # a column's label is centred on it: room at both ends
    count = len(columns)
    xs = [
        _number(LEFT + 60 + (inner * i / (count - 1) if count > 1 else inner / 2))
        for i in range(count)
    ]
    ident = str(escape(ident))
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {height}" role="img" class="trend-chart" focusable="false"'
        f' aria-labelledby="{ident}-title {ident}-desc" font-family="sans-serif">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
        f'<rect x="{LEFT}" y="{TOP}" width="{right - LEFT}" height="{PLOT_HEIGHT}"'
        ' fill="#ffffff" stroke="#4a5263"/>',
    ]
    for tick, tick_label in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{y}" x2="{right}" y2="{y}" stroke="#d5d9e0"/>'
            f'<text x="{LEFT - 6}" y="{y}" text-anchor="end" dominant-baseline="middle"'
            f' font-size="12" fill="#1f2430">{escape(tick_label)}</text>'
        )
    for x, label in zip(xs, columns, strict=True):
        parts.append(f'<text x="{x}" y="{bottom + 18}" text-anchor="middle" font-size="12"')
        parts.append(' fill="#1f2430">')
        for n, text in enumerate(label[:2]):
            dy = "0" if n == 0 else "16"
            parts.append(f'<tspan x="{x}" dy="{dy}">{escape(text)}</tspan>')
        parts.append("</text>")
    for index, line in enumerate(lines):
        colour = COLOURS[index % len(COLOURS)]
        dash = DASHES[index % len(DASHES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        # Side by side in a column, so that their spreads do not hide each other.
        shift = (index - (len(lines) - 1) / 2) * 6
        here = [_number(float(x) + shift) for x in xs]
        # A line joins neighbouring columns that both have a value; a gap stays a gap.
        run: list[str] = []
        ends: list[tuple[float, float | None] | None] = [*line.values, None]
        for x, point in zip([*here, ""], ends, strict=True):
            if point is not None:
                run.append(f"{x},{y_of(point[0])}")
                continue
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}"'
                    f' stroke-width="2"{dashed}/>'
                )
            run = []
        for x, point in zip(here, line.values, strict=True):
            if point is None:
                continue
            mean, sd = point
            if sd:
                parts.append(
                    f'<line x1="{x}" y1="{y_of(mean - sd)}" x2="{x}" y2="{y_of(mean + sd)}"'
                    f' stroke="{colour}" stroke-width="2"/>'
                )
            parts.append(f'<circle cx="{x}" cy="{y_of(mean)}" r="4" fill="{colour}"/>')
        legend_y = bottom + COLUMN_LABELS + LEGEND_ROW * index + 12
        parts.append(
            f'<line x1="{LEFT}" y1="{legend_y}" x2="{LEFT + 28}" y2="{legend_y}"'
            f' stroke="{colour}" stroke-width="2"{dashed}/>'
            f'<circle cx="{LEFT + 14}" cy="{legend_y}" r="4" fill="{colour}"/>'
            f'<text x="{LEFT + 36}" y="{legend_y}" dominant-baseline="middle" font-size="12"'
            f' fill="#1f2430">{escape(line.label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every label escaped above)
