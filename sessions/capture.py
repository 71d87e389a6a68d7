"""What a session produced, captured from its state without retyping (the harvest).

`capture` reads the server's full state (`SessionEngine.state`) and returns plain JSON-ready
data for the outcome (`OutcomeRow.captured`): board clusters with their notes and vote counts,
the notes outside any cluster, the speaking round, the positioning chart as an aggregate and as
markers without owners, and attendance. Authors are participant ids only, never display names:
the shared versions of an outcome (catalogue/outcomes/sharing.py) turn them into "Deelnemer A, B, …"
and leave out what its author did not consent to share. Anonymous notes keep their real author's id
(consent filtering needs it) and say `"anonymous": true`, so no display ever attributes them.
Private notes that were never revealed are left out; the chat is not captured.

Pure: no I/O, so it is tested with hand-built states.
"""

from __future__ import annotations

import math
from typing import Any

from sessions.state import Note, State

MARKER_KINDS = ("now", "desired")


def capture(state: State) -> dict[str, Any]:
    """The session's products, as described in the module docstring (and docs/harvest.md)."""
    tally = state.voting.tally
    shared = {note_id: note for note_id, note in state.notes.items() if not note.private}
    clusters = []
    for cluster_id, cluster in state.clusters.items():
        clusters.append(
            {
                "title": cluster.title,
                "group": cluster.group,
                "votes": tally.get(cluster_id, 0),
                "notes": [
                    _note(note_id, note, tally)
                    for note_id, note in shared.items()
                    if note.cluster == cluster_id
                ],
            }
        )
    unclustered = [
        {**_note(note_id, note, tally), "group": note.group}
        for note_id, note in shared.items()
        if note.cluster is None or note.cluster not in state.clusters
    ]
    return {
        "clusters": clusters,
        "unclustered": unclustered,
        "round": {"order": list(state.round.order), "passed": list(state.round.passed)},
        "chart": _chart(state),
        "attendance": _attendance(state),
        "chat": [],  # not captured: the chat is for the moment
    }


def _note(note_id: str, note: Note, tally: dict[str, int]) -> dict[str, Any]:
    return {
        "text": note.text,
        "by": note.author,
        "votes": tally.get(note_id, 0),
        "anonymous": note.anonymous,
    }


def _chart(state: State) -> dict[str, Any]:
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
    return result


def _spread(values: list[float]) -> dict[str, float | None]:
    """Mean and (population) standard deviation; both None without values."""
    if not values:
        return {"mean": None, "sd": None}
    mean = math.fsum(values) / len(values)
    variance = math.fsum((v - mean) ** 2 for v in values) / len(values)
    return {"mean": round(mean, 4), "sd": round(math.sqrt(variance), 4)}


def _attendance(state: State) -> dict[str, int]:
    """Who took part: joined, not removed, not an observer; in the room and remote."""
    present = [p for p in state.people.values() if not p.removed and p.role != "observer"]
    return {
        "room": sum(1 for p in present if p.location == "room"),
        "remote": sum(1 for p in present if p.location == "remote"),
        "total": len(present),
    }
