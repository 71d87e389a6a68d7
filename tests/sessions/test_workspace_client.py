"""The workspace client lives in sessions/client/, is served at /static/workspace/ as before, and
its interface text is what Babel's JavaScript extractor finds in it."""

from __future__ import annotations

import re

import httpx
from babel.messages.pofile import read_po

from server import i18n
from server.i18n import LOCALE_DIR
from sessions.workspace_client import CLIENT_DIR, client_files, client_msgids, client_strings


async def test_the_client_is_served_at_its_old_address(client: httpx.AsyncClient) -> None:
    for name in ("main.js", "state.js", "workspace.css", "tools.css"):
        response = await client.get(f"/static/workspace/{name}")
        assert response.status_code == 200, name
        assert response.content == (CLIENT_DIR / name).read_bytes()
    assert "javascript" in (await client.get("/static/workspace/main.js")).headers["content-type"]
    # The app's own static files are still there, and nothing else is served from sessions/.
    assert (await client.get("/static/app.css")).status_code == 200
    assert (await client.get("/static/workspace/../workspace_client.py")).status_code == 404


def _literals(pattern: str) -> set[str]:
    found: set[str] = set()
    for path in client_files():
        found |= set(re.findall(pattern, path.read_text(encoding="utf-8")))
    return found


def test_every_client_msgid_is_extracted_and_translated() -> None:
    """What the client shows is what Babel's JavaScript extractor finds (babel.cfg, and the list
    the page gets), and every one of those has a Dutch translation.

    Tried: `app.t(cond ? "online" : "not online")` (the extractor skips it) fails the check on
    ternaries; `${app.t("(you)")}` without `parse_template_string` fails the literal check; an
    untranslated `app.t("Zzz")` in chat.js fails the Dutch check (and tests/server/test_i18n.py).
    """
    extracted = set(client_msgids())
    # Every t("…") / N_("…") a reader sees, wherever it stands (template literals too).
    literal = _literals(r'\b(?:t|N_)\(\s*"((?:[^"\\]|\\.)*)"')
    assert literal, "found no t() calls: the pattern is broken"
    assert sorted(literal - extracted) == []
    # Only string literals reach the extractor: no ternaries of literals, no other quotes.
    assert _literals(r'\bt\(([^()"]*\?\s*"[^)]*)\)') == set()
    assert _literals(r"\b(?:t|N_)\(\s*([`'][^)]*)\)") == set()
    with (LOCALE_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalog = read_po(file, locale="nl")
    dutch = {message.id: message.string for message in catalog if message.id}
    assert sorted(msgid for msgid in extracted if not dutch.get(msgid)) == []


def test_the_page_gets_every_client_msgid_in_its_language() -> None:
    """The strings handed to the page: looked-up table entries too (role, tool and status names,
    refusals, timer milestones), in the request's language.

    Tried: dropping the N_() of timer.js's "1 minute left" fails here (not handed over)."""
    for msgid in ("Voting", "Co-facilitator", "Connected", "1 minute left", "It is not your turn."):
        assert msgid in client_msgids()
    language = i18n.current_language.set("nl")
    try:
        strings = client_strings()
    finally:
        i18n.current_language.reset(language)
    assert strings["Voting"] == "Stemmen"
    assert strings["Board"] == "Bord"
    assert len(strings) == len(client_msgids()) > 250
