"""Interface languages: Dutch by default, English available, from gettext catalogs.

Message ids are English. `locale/<lang>/LC_MESSAGES/messages.po` holds the translations; it is
compiled in memory when first needed, so there is no build step and no .mo file to forget.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Callable
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("nl", "en")
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}
LANGUAGE_COOKIE = "werkplaats_lang"
LOCALE_DIR = Path(__file__).parent / "locale"

Translator = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The compiled catalog for a language; English message ids need none."""
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or not po_path.exists():
        return _gettext.NullTranslations()
    with po_path.open("rb") as file:
        catalog = read_po(file, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def negotiate(cookie: str | None, accept_language: str | None, default: str) -> str:
    """The language to use: the visitor's choice, else their browser's, else the default."""
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return default


# The language of the template being rendered, read by the gettext callables Jinja calls.
current_language: ContextVar[str] = ContextVar("current_language", default="nl")


def gettext(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


def translator(language: str) -> Translator:
    return translations(language).gettext
