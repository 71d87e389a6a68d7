"""The workspace's interface text, translated on the server and handed to the browser client."""

from __future__ import annotations

from server.i18n import N_, gettext
from sessions.client_strings_tools import TOOL_STRINGS

SHELL_STRINGS: list[str] = [
    N_("Connected"),
]


def client_strings() -> dict[str, str]:
    """Every client msgid and its translation in the current request's language."""
    return {msgid: gettext(msgid) for msgid in [*SHELL_STRINGS, *TOOL_STRINGS]}
