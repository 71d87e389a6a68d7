"""Dutch by default, English on request, and every interface message translated."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from server.i18n import LOCALE_DIR, negotiate
from sessions.workspace_client import KEYWORDS, OPTIONS

ROOT = Path(__file__).parents[2]


async def test_pages_are_dutch_by_default(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert '<html lang="nl">' in response.text
    assert "Samen leren van de praktijk" in response.text
    assert response.headers["content-language"] == "nl"


async def test_the_language_switch_remembers_english(client: httpx.AsyncClient) -> None:
    switched = await client.get("/taal", params={"lang": "en", "next": "/login"})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/login"
    page = await client.get("/login")
    assert '<html lang="en">' in page.text
    assert "Email address" in page.text
    back = await client.get("/taal", params={"lang": "nl", "next": "https://evil.example"})
    assert back.headers["location"] == "/"
    assert "E-mailadres" in (await client.get("/login")).text


async def test_an_unknown_language_is_refused_clearly(client: httpx.AsyncClient) -> None:
    response = await client.get("/taal", params={"lang": "fr"})
    assert response.status_code == 400
    assert "Onbekende taal; kies uit: nl, en." in response.text


async def test_the_browser_language_is_used_until_one_is_chosen(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/", headers={"accept-language": "en-GB,en;q=0.9"})
    assert "Learning together from practice" in page.text


def test_negotiation_prefers_the_choice_then_the_browser_then_the_default() -> None:
    assert negotiate("en", "nl", "nl") == "en"
    assert negotiate(None, "de-DE, en;q=0.5", "nl") == "en"
    assert negotiate("xx", "de", "nl") == "nl"


def test_every_interface_message_has_a_dutch_translation() -> None:
    with (LOCALE_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalog = read_po(file, locale="nl")
    translated = set()
    for message in catalog:
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and all(forms):
            translated.add(message.id[0] if isinstance(message.id, tuple) else message.id)
    method_map = [("**.py", "python"), ("**.html", "jinja2"), ("client/**.js", "javascript")]
    options = {
        "**.html": {"extensions": "jinja2.ext.i18n"},
        # as babel.cfg: the workspace client's t("…") and N_("…") (sessions/workspace_client.py)
        "client/**.js": {"keywords": dict(KEYWORDS), **OPTIONS},
    }
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    missing = []
    for directory in ("server", "catalogue", "sessions", "templates"):
        for filename, _line, message, _comments, _context in extract_from_dir(
            ROOT / directory, method_map, options, keywords=keywords
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid and msgid not in translated:
                missing.append(f"{directory}/{filename}: {msgid!r}")
    assert not missing, "run scripts/translations and translate:\n" + "\n".join(missing)


def _dutch_texts() -> list[str]:
    with (LOCALE_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalog = read_po(file, locale="nl")
    texts: list[str] = []
    for message in catalog:
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        texts.extend(form for form in forms if form)
    return texts


def test_the_site_says_je_never_u() -> None:
    """B1 Dutch, one form of address: "je", as everywhere else (issue 16)."""
    formal = re.compile(r"\b(u|uw|U|Uw)\b")
    assert [text for text in _dutch_texts() if formal.search(text)] == []


def test_one_dutch_word_for_each_thing() -> None:
    """A board's cluster is a "thema", a session's outcome an "uitkomst" (as the pages'
    addresses, /uitkomsten): not "cluster" here and "thema" there (issue 16)."""
    other_words = re.compile(r"cluster|opbrengst", re.IGNORECASE)
    assert [text for text in _dutch_texts() if other_words.search(text)] == []
