"""The positioning chart of an outcome's version, drawn by the server (pure: coordinates for
the template, and the numbers for its table alternative)."""

from __future__ import annotations

from typing import Any

from server.i18n import Translator

SIZE = 400
PAD = 44
PLOT = SIZE - 2 * PAD
KIND_COLOURS = {"now": "#0b5c73", "desired": "#9c4100"}  # as in the workspace (tools.css)


def _x(value: float) -> float:
    return round(PAD + min(max(value, 0.0), 1.0) * PLOT, 1)


def _y(value: float) -> float:
    return round(PAD + (1 - min(max(value, 0.0), 1.0)) * PLOT, 1)


def _percent(value: float | None) -> int | None:
    return None if value is None else round(value * 100)


def chart_view(chart: Any, _: Translator) -> dict[str, Any] | None:
    """Coordinates for the server-drawn chart of a version's positioning aggregate: per kind
    (now, desired) its mean with the spread (standard deviation) along each axis, the arrow
    from now to desired, the markers kept, and the numbers for the table alternative."""
    if not isinstance(chart, dict):
        return None
    kinds = []
    for kind, label in (("now", _("Now")), ("desired", _("Desired"))):
        aggregate = chart.get(kind)
        if not aggregate:
            continue
        mx, my = aggregate["x"]["mean"], aggregate["y"]["mean"]
        sx, sy = aggregate["x"]["sd"] or 0.0, aggregate["y"]["sd"] or 0.0
        kinds.append(
            {
                "kind": kind,
                "label": label,
                "colour": KIND_COLOURS[kind],
                "n": aggregate["n"],
                "cx": _x(mx),
                "cy": _y(my),
                "x1": _x(mx - sx),
                "x2": _x(mx + sx),
                "y1": _y(my - sy),
                "y2": _y(my + sy),
                "x_mean": _percent(mx),
                "x_sd": _percent(sx),
                "y_mean": _percent(my),
                "y_sd": _percent(sy),
                "diamond": _diamond(_x(mx), _y(my)),
            }
        )
    if not kinds:
        return None
    arrow = None
    if len(kinds) == 2 and (kinds[0]["cx"], kinds[0]["cy"]) != (kinds[1]["cx"], kinds[1]["cy"]):
        arrow = {
            "x1": kinds[0]["cx"],
            "y1": kinds[0]["cy"],
            "x2": kinds[1]["cx"],
            "y2": kinds[1]["cy"],
        }
    markers = [
        {"cx": _x(m["x"]), "cy": _y(m["y"]), "colour": KIND_COLOURS.get(m["kind"], "#4a5263")}
        for m in chart.get("markers") or ()
    ]
    return {
        "size": SIZE,
        "pad": PAD,
        "plot": PLOT,
        "middle": SIZE / 2,
        "axes": {axis: chart.get(axis, "") for axis in ("x_low", "x_high", "y_low", "y_high")},
        "kinds": kinds,
        "arrow": arrow,
        "markers": markers,
    }


def _diamond(cx: float, cy: float, r: float = 11) -> str:
    return f"M {cx} {cy - r} L {cx + r} {cy} L {cx} {cy + r} L {cx - r} {cy} Z"
