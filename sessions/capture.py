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

from typing import Any

from sessions.state import State
from sessions.tools import CAPTURES
from sessions.tools.chart import MARKER_KINDS

__all__ = ["MARKER_KINDS", "capture"]


def capture(state: State) -> dict[str, Any]:
    """The session's products, as described in the module docstring (and docs/harvest.md):
    each tool's slice (sessions/tools/) captures its part."""
    captured: dict[str, Any] = {}
    for part in CAPTURES:
        captured.update(part(state))
    return captured
