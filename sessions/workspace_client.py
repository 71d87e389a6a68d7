"""The browser workspace client: its files (sessions/client/) and its interface text.

The client is plain ES modules, served as they are at /static/workspace/ (docs/workspace.md).
Its interface text is every string it passes to `t("…")` or marks with `N_("…")` (a lookup table
translated later with `t(variable)`). Babel's JavaScript extractor finds them, for the catalogue
(babel.cfg, scripts/translations) and here, once per process, to hand their translations in the
request's language to the page.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.extract import extract
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from server.i18n import gettext

CLIENT_DIR = Path(__file__).parent / "client"
URL_PREFIX = "/static/workspace"
# What babel.cfg gives the extractor for these files: the keywords `t(msgid, vars)` and
# `N_(msgid)`, and `t("…")` inside template literals (`${app.t("(you)")}`).
KEYWORDS: dict[str, None] = {"t": None, "N_": None}
OPTIONS = {"encoding": "utf-8", "parse_template_string": True}


def client_files() -> list[Path]:
    """The client's JavaScript modules, tools included."""
    return sorted(CLIENT_DIR.rglob("*.js"))


@cache
def client_msgids() -> tuple[str, ...]:
    """Every msgid the client's modules use, in the order they first appear."""
    found: dict[str, None] = {}
    for path in client_files():
        with path.open("rb") as file:
            for _line, message, _comments, _context in extract(
                "javascript", file, keywords=KEYWORDS, options=OPTIONS
            ):
                found.setdefault(message if isinstance(message, str) else message[0])
    return tuple(found)


def client_strings() -> dict[str, str]:
    """Every client msgid and its translation in the current request's language."""
    return {msgid: gettext(msgid) for msgid in client_msgids()}


# Before the app's /static mount (server/app.py puts the domains' routes first).
routes: list[BaseRoute] = [
    Mount(URL_PREFIX, StaticFiles(directory=CLIENT_DIR), name="workspace_static"),
]
