"""Sessions as iCalendar (RFC 5545): the invitation a mail carries and an account's feed.

Pure: no I/O. A session's UID never changes, so a calendar app replaces its copy when an
update (a higher SEQUENCE) or a cancellation arrives (RFC 5546: METHOD REQUEST and CANCEL).
Times are in UTC; calendar apps show them in their own zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import icalendar

Method = Literal["REQUEST", "CANCEL", "PUBLISH"]
PRODUCT = "-//Werkplaats//Sessions//NL"


@dataclass(frozen=True)
class Planned:
    """A planned session as a calendar shows it."""

    public_id: str
    title: str
    start: dt.datetime
    end: dt.datetime
    sequence: int
    join_url: str
    cancelled: bool = False


def uid(public_id: str, domain: str) -> str:
    """The session's UID: the same in every invitation and feed, so updates replace it."""
    return f"session-{public_id}@{domain or 'werkplaats'}"


def invitation(session: Planned, method: Method, organizer: str, attendee: str, domain: str) -> str:
    """The .ics a mail carries: one event, METHOD REQUEST (new or changed) or CANCEL."""
    calendar = _calendar(method)
    event = _event(session, domain)
    if organizer:
        event.add("organizer", f"mailto:{organizer}", parameters={"CN": "Werkplaats"})
    event.add(
        "attendee",
        f"mailto:{attendee}",
        parameters={"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "FALSE"},
    )
    calendar.add_component(event)
    return str(calendar.to_ical().decode())


def feed(sessions: Sequence[Planned], domain: str, name: str) -> str:
    """An account's feed: every planned session it facilitates (METHOD PUBLISH)."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    for session in sessions:
        calendar.add_component(_event(session, domain))
    return str(calendar.to_ical().decode())


def _calendar(method: Method) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _event(session: Planned, domain: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid(session.public_id, domain))
    event.add("sequence", session.sequence)
    event.add("dtstamp", dt.datetime.now(dt.UTC).replace(microsecond=0))
    event.add("dtstart", session.start.astimezone(dt.UTC))
    event.add("dtend", session.end.astimezone(dt.UTC))
    event.add("summary", session.title)
    event.add("url", session.join_url)
    event.add("location", session.join_url)
    event.add("description", session.join_url)
    event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
    return event
