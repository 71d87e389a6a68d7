"""Numbers and dates in the reader's notation: one place, so every page writes them alike.

Dutch pages write "3,5" and "6 december 2026, 14:30"; English ones "3.5" and "6 December 2026,
14:30". Templates use the filters `number`, `date`, `datetime` and `period` (installed by
`install`); the workspace client has the same rules in `sessions/client/format.js`.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import jinja2
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_decimal

from server import i18n

# Werkplaatsen are Dutch: times are stored in UTC and shown as the clock on the wall says.
DISPLAY_ZONE = ZoneInfo("Europe/Amsterdam")
DATE_PATTERN = "d MMMM y"
TIME_PATTERN = "HH:mm"
TIME_WITH_SECONDS = "HH:mm:ss"


def _language(language: str | None) -> str:
    return language or i18n.current_language.get()


def format_number(value: float, decimals: int = 1, language: str | None = None) -> str:
    """A number with a fixed count of decimals: "3,5" in Dutch, "3.5" in English."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, pattern, locale=_language(language))


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, str):  # an ISO date, as outcomes carry their day ("2026-12-06")
        return dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        return value.astimezone(DISPLAY_ZONE).date() if value.tzinfo else value.date()
    return value


def format_date(value: dt.date | str, language: str | None = None) -> str:
    """A day: "6 december 2026" in Dutch, "6 December 2026" in English."""
    return _babel_date(_as_date(value), DATE_PATTERN, locale=_language(language))


def format_datetime(value: dt.datetime, language: str | None = None, seconds: bool = False) -> str:
    """A moment: "6 december 2026, 14:30" (Dutch clock time; seconds where they matter)."""
    pattern = f"{DATE_PATTERN}, {TIME_WITH_SECONDS if seconds else TIME_PATTERN}"
    moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return _babel_datetime(moment, pattern, tzinfo=DISPLAY_ZONE, locale=_language(language))


def format_period(start: dt.datetime, end: dt.datetime, language: str | None = None) -> str:
    """From one moment to another: "6 december 2026, 14:30 – 16:00" (with the end's day when
    it is another day)."""
    first = format_datetime(start, language)
    zoned = [
        (m if m.tzinfo else m.replace(tzinfo=dt.UTC)).astimezone(DISPLAY_ZONE) for m in (start, end)
    ]
    if zoned[0].date() == zoned[1].date():
        last = _babel_datetime(
            zoned[1], TIME_PATTERN, tzinfo=DISPLAY_ZONE, locale=_language(language)
        )
    else:
        last = format_datetime(end, language)
    return f"{first} – {last}"


def install(env: jinja2.Environment) -> None:
    """The filters templates use: `{{ x | number }}`, `{{ d | date }}`, `{{ t | datetime }}`."""
    env.filters["number"] = format_number
    env.filters["date"] = format_date
    env.filters["datetime"] = format_datetime
    env.filters["period"] = format_period
