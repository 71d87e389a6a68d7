"""Interface text of the workspace tools (board, voting, round, chart, breakouts)."""

from __future__ import annotations

from server.i18n import N_

TOOL_STRINGS: list[str] = [
    N_("Board"),
]
