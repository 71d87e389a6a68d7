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
# The years a plan may fall in: wide enough for any real plan, narrow enough that every moment
# in them converts to UTC (9999-12-31 at -14:00 is past what a date-time can hold in UTC).
FIRST_YEAR, LAST_YEAR = 2000, 2200


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
    if too_long(start, end):
        problem(
            "planned_end_date",
            N_("A session can be planned for at most %(days)s days."),
            days=LONGEST.days,
        )
        return None
    return Plan(start, end)


def too_long(start: dt.datetime, end: dt.datetime) -> bool:
    """Whether `end` is more than LONGEST after `start` on the clock on the wall (Dutch time):
    09:00 on the 92nd day after a start at 09:00 is not, also when summer time ends in between
    (92 days and an hour in UTC); 09:01 is, also when summer time begins in between."""
    on_the_wall = [moment.astimezone(DISPLAY_ZONE).replace(tzinfo=None) for moment in (start, end)]
    return on_the_wall[1] - on_the_wall[0] > LONGEST


def _day(text: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


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


@dataclass
class ClosingFields:
    """When an asynchronous phase closes, as typed: ISO date and clock time, both or neither."""

    date: str = ""
    time: str = ""


def closing_fields(until: float | None) -> ClosingFields:
    """The fields that show a phase's closing date (epoch seconds) on the wall clock."""
    if until is None:
        return ClosingFields()
    moment = dt.datetime.fromtimestamp(until, DISPLAY_ZONE)
    return ClosingFields(moment.date().isoformat(), moment.strftime("%H:%M"))


def check_closing(
    typed: list[ClosingFields],
    asynchronous: bool,
    begins: dt.datetime,
    problem: Callable[..., None],
) -> list[float | None]:
    """Each phase's closing date as epoch seconds (the event protocol's `until`), None where
    none is typed. A closing date belongs to an asynchronous session, comes after `begins` (the
    planned start, or now when unplanned), at most LONGEST after it, and after the closing date
    of every earlier phase. Problems name the phase's field (`phase-N-closes_date`)."""
    closes: list[float | None] = []
    last: dt.datetime | None = None
    for number, fields in enumerate(typed, start=1):
        where = f"phase-{number}-closes"
        if not fields.date and not fields.time:
            closes.append(None)
            continue
        if not asynchronous:
            problem(
                f"{where}_date",
                N_("Only an asynchronous session has closing dates. Empty these fields."),
            )
            closes.append(None)
            continue
        day, clock = _day(fields.date), _clock(fields.time)
        if day is None:
            problem(f"{where}_date", N_("Closes on: choose a day (for example 2026-12-07)."))
        if clock is None:
            problem(f"{where}_time", N_("Closes at: a time such as 17:00."))
        if day is None or clock is None:
            closes.append(None)
            continue
        moment = _utc(day, clock)
        if moment <= begins:
            problem(f"{where}_date", N_("A phase must close after the session starts."))
        elif too_long(begins, moment):
            problem(
                f"{where}_date",
                N_("A phase can close at most %(days)s days after the session starts."),
                days=LONGEST.days,
            )
        elif last is not None and moment <= last:
            problem(f"{where}_date", N_("A phase must close after the phase before it closes."))
        last = moment if last is None or moment > last else last
        closes.append(moment.timestamp())
    return closes
