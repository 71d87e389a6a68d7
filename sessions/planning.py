"""When a session is planned: the start form's date and time fields, checked into UTC times.

Pure: no I/O. People type the clock on the wall (Europe/Amsterdam, server/formatting.py); the
database keeps UTC. An asynchronous session may run over days: its end has its own date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from server.formatting import DISPLAY_ZONE
from server.i18n import N_

LONGEST = dt.timedelta(days=92)  # an asynchronous session may run for weeks, not for ever


@dataclass
class PlanFields:
    """The plan as typed: ISO date ("2026-12-07") and clock time ("14:30"), all optional."""

    start_date: str = ""
    start_time: str = ""
    end_date: str = ""  # empty: the start's date
    end_time: str = ""

    @property
    def empty(self) -> bool:
        return not (self.start_date or self.start_time or self.end_date or self.end_time)


@dataclass(frozen=True)
class Plan:
    """A planned start and end, in UTC; the end is after the start."""

    start: dt.datetime
    end: dt.datetime


def fields_of(plan: Plan | None) -> PlanFields:
    """The fields that show a plan (on the wall clock), for a form that changes it."""
    if plan is None:
        return PlanFields()
    start, end = plan.start.astimezone(DISPLAY_ZONE), plan.end.astimezone(DISPLAY_ZONE)
    return PlanFields(
        start.date().isoformat(),
        start.strftime("%H:%M"),
        end.date().isoformat() if end.date() != start.date() else "",
        end.strftime("%H:%M"),
    )


def check(typed: PlanFields, problem: Callable[..., None]) -> Plan | None:
    """The plan typed, or None: nothing typed, or problems (each naming its field) reported."""
    if typed.empty:
        return None
    start_day = _day(typed.start_date)
    end_day = _day(typed.end_date) if typed.end_date else start_day
    start_clock, end_clock = _clock(typed.start_time), _clock(typed.end_time)
    if start_day is None:
        problem("planned_date", N_("Planned date: choose a day (for example 2026-12-07)."))
    if typed.end_date and end_day is None:
        problem("planned_end_date", N_("End date: choose a day (for example 2026-12-08)."))
    if start_clock is None:
        problem("planned_start", N_("Start time: a time such as 14:30."))
    if end_clock is None:
        problem("planned_end", N_("End time: a time such as 16:00."))
    if None in (start_day, end_day, start_clock, end_clock):
        return None
    start = _utc(start_day, start_clock)  # type: ignore[arg-type]
    end = _utc(end_day, end_clock)  # type: ignore[arg-type]
    if end <= start:
        problem("planned_end", N_("The end must be after the start."))
        return None
    if end - start > LONGEST:
        problem(
            "planned_end_date",
            N_("A session can be planned for at most %(days)s days."),
            days=LONGEST.days,
        )
        return None
    return Plan(start, end)


def _day(text: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2200 else None


def _clock(text: str) -> dt.time | None:
    hours, colon, minutes = text.strip().partition(":")
    if not colon or not (hours.isascii() and hours.isdigit() and minutes.isascii()):
        return None
    if not minutes.isdigit() or len(hours) > 2 or len(minutes) != 2:
        return None
    if int(hours) > 23 or int(minutes) > 59:
        return None
    return dt.time(int(hours), int(minutes))


def _utc(day: dt.date, clock: dt.time) -> dt.datetime:
    # fold=0: in the autumn hour that happens twice, the first one (as a calendar app does).
    return dt.datetime.combine(day, clock, DISPLAY_ZONE).astimezone(dt.UTC)
