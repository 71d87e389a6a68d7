"""Planned sessions: the plan on the start form and the session page, the list of sessions,
and invitations with a calendar file, read from a real SMTP server as a mail client would."""

from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import icalendar
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.accounts import set_language
from server.admin.pages import TABLE_LABELS
from server.db import utcnow
from server.erasure import TABLES, ErasureAsk, Person
from server.mail.models import MailOutbox
from server.models import UserRole
from server.settings import Settings
from sessions.models import CalendarFeed, LiveSession, SessionInvitation
from sessions.reminders import cancel_ended_early, remind_due
from tests.helpers import csrf_token, make_user
from tests.mail_server import MailServer, mail_server, parts, with_mail
from tests.sessions.pages import (
    end,
    facilitator,
    form_fields,
    join,
    new_session,
    other_client,
    post_form,
    sessions_in,
    start,
    text_of,
)

__all__ = ["mail_server"]  # the fixture, used by name
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DAY = (dt.datetime.now(AMSTERDAM) + dt.timedelta(days=10)).date()
LATER = DAY + dt.timedelta(days=1)


def _utc(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), AMSTERDAM).astimezone(dt.UTC)


@pytest.fixture
def settings(database_url: str, tmp_path: Path, mail_server: MailServer) -> Settings:
    plain = Settings(
        database_url=database_url,
        secret_key="test-secret-key-not-for-production",
        data_dir=tmp_path,
    )
    return with_mail(plain, mail_server)


async def _row(db: async_sessionmaker[AsyncSession], public_id: str) -> LiveSession:
    async with db() as session:
        row = await session.scalar(select(LiveSession).where(LiveSession.public_id == public_id))
    assert row is not None
    return row


def _calendar(message: EmailMessage) -> tuple[str, icalendar.Calendar]:
    attachments = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(attachments) == 1, "an invitation carries one calendar file"
    part = attachments[0]
    method = str(part.get_param("method"))
    raw = part.get_content()
    return method, icalendar.Calendar.from_ical(raw if isinstance(raw, str) else raw.decode())


def _event(calendar: icalendar.Calendar) -> icalendar.Event:
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event: icalendar.Event = events[0]
    return event


async def _plan(client: httpx.AsyncClient, public_id: str, **values: str) -> httpx.Response:
    page = await client.get(f"/sessies/{public_id}")
    fields = dict(form_fields(page.text, f"/sessies/{public_id}/plan"))
    fields.update(values)
    return await post_form(client, f"/sessies/{public_id}/plan", list(fields.items()))


async def test_a_session_planned_on_the_start_form_shows_its_time_in_dutch_time(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], seeded: list[str]
) -> None:
    await facilitator(client, db)
    later, _ = await new_session(
        client,
        title="Later",
        planned_date=LATER.isoformat(),
        planned_start="09:00",
        planned_end="10:00",
    )
    soon, _ = await new_session(
        client,
        title="Intervisie Noord",
        planned_date=DAY.isoformat(),
        planned_start="14:30",
        planned_end="16:00",
    )
    unplanned, _ = await new_session(client, title="Zonder tijd")
    row = await _row(db, soon)
    assert row.planned_start == _utc(DAY, 14, 30) and row.planned_end == _utc(DAY, 16, 0)
    html = (await client.get(f"/sessies/{soon}")).text
    assert html.split("<title>")[1].split("</title>")[0].startswith("Intervisie Noord ·")
    page = text_of(html)
    assert f"{DAY.day} " in page and "14:30 – 16:00" in page
    listing = text_of((await client.get("/sessies")).text)
    # Planned ones, the soonest first; then the unplanned one.
    assert listing.index("Intervisie Noord") < listing.index("Later") < listing.index("Zonder tijd")
    assert "niet gepland" in listing
    assert unplanned and later


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"planned_start": "16:00", "planned_end": "15:00"},
            "planned_end",
            "Het einde moet na het begin liggen.",
        ),
        ({"planned_start": "25:00", "planned_end": "15:00"}, "planned_start", "Begintijd"),
        ({"planned_date": "morgen", "planned_end": "15:00"}, "planned_date", "Datum"),
        ({"planned_end": ""}, "planned_end", "Eindtijd"),
    ],
)
async def test_a_wrong_plan_is_refused_with_a_clear_message_and_nothing_is_stored(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    values: dict[str, str],
    field: str,
    message: str,
) -> None:
    await facilitator(client, db)
    typed = {"planned_date": DAY.isoformat(), "planned_start": "14:00", **values}
    answer = await start(client, title="Fout gepland", **typed)
    assert answer.status_code == 422
    assert message in text_of(answer.text)
    assert f'id="error-{field}"' in answer.text
    assert await sessions_in(db) == 0


async def test_invited_colleagues_get_the_join_link_and_calendar_updates_and_a_cancellation(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    mail_server: MailServer,
) -> None:
    await facilitator(client, db)
    colleague = await make_user(
        db, email="sanne@example.org", name="Sanne Bakker", roles=["educator"]
    )
    public_id, code = await new_session(
        client,
        title="Moreel beraad",
        planned_date=DAY.isoformat(),
        planned_start="14:30",
        planned_end="16:00",
    )
    async with other_client(client._transport.app) as participant:  # type: ignore[attr-defined]
        assert (await join(participant, code, "Pieter Participant")).status_code == 303

    page = await client.get(f"/sessies/{public_id}/uitnodigen")
    assert "Sanne Bakker" in page.text
    fields = [(k, v) for k, v in form_fields(page.text, f"/sessies/{public_id}/uitnodigen")]
    sent = await post_form(
        client, f"/sessies/{public_id}/uitnodigen", [*fields, ("account", str(colleague.id))]
    )
    assert sent.status_code == 200 and "1 uitnodiging is onderweg" in text_of(sent.text)

    first = (await mail_server.wait_for(1))[0]
    assert first["To"] == "sanne@example.org"
    text, html = parts(first)
    assert f"http://testserver/join?code={code}" in text and "Moreel beraad" in text
    assert "14:30 – 16:00" in text and "Pieter" not in text + html
    method, calendar = _calendar(first)
    assert method == "REQUEST" and calendar["METHOD"] == "REQUEST"
    event = _event(calendar)
    uid = str(event["UID"])
    assert uid == f"session-{public_id}@example.nl"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == _utc(DAY, 14, 30)
    assert event.decoded("DTEND") == _utc(DAY, 16, 0)
    assert "mailto:sanne@example.org" in str(event["ATTENDEE"])

    moved = await _plan(client, public_id, planned_start="15:00", planned_end="17:00")
    assert moved.status_code == 303
    update = (await mail_server.wait_for(2))[1]
    assert "gewijzigd" in update["Subject"].lower()
    method, calendar = _calendar(update)
    event = _event(calendar)
    assert method == "REQUEST" and str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == _utc(DAY, 15, 0)

    cancelled = await _plan(client, public_id, op="clear")
    assert cancelled.status_code == 303
    cancel = (await mail_server.wait_for(3))[2]
    method, calendar = _calendar(cancel)
    event = _event(calendar)
    assert method == "CANCEL" and calendar["METHOD"] == "CANCEL"
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 2
    assert str(event["STATUS"]) == "CANCELLED"
    for message in (update, cancel):
        assert "Pieter" not in "".join(parts(message))
    assert (await _row(db, public_id)).planned_start is None


async def test_wrong_invitations_and_plans_are_refused_and_nothing_is_sent(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> None:
    await facilitator(client, db)
    public_id, _ = await new_session(client, title="Nog niet gepland")
    page = await client.get(f"/sessies/{public_id}/uitnodigen")
    assert "Plan de sessie eerst" in text_of(page.text)
    colleague = await make_user(db, email="sanne@example.org", name="Sanne", roles=["educator"])
    fields = [("csrf_token", await csrf_token(client, f"/sessies/{public_id}/uitnodigen"))]
    for chosen, message in [
        (str(colleague.id), "Plan de sessie eerst"),
        ("abc", "Kies mensen uit de lijst."),
        ("999999", "Alleen actieve"),
    ]:
        answer = await post_form(
            client, f"/sessies/{public_id}/uitnodigen", [*fields, ("account", chosen)]
        )
        assert answer.status_code == 422, chosen
        assert message in text_of(answer.text)
    nothing = await post_form(client, f"/sessies/{public_id}/uitnodigen", fields)
    assert nothing.status_code == 422 and "Kies minstens één persoon" in text_of(nothing.text)
    wrong = await _plan(client, public_id, planned_date=DAY.isoformat(), planned_start="10:00")
    assert wrong.status_code == 422 and "Eindtijd" in text_of(wrong.text)
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(MailOutbox)) == 0
        assert await session.scalar(select(func.count()).select_from(SessionInvitation)) == 0
    assert (await _row(db, public_id)).planned_start is None


async def test_the_calendar_feed_lists_planned_sessions_until_its_address_is_stopped(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], seeded: list[str]
) -> None:
    await facilitator(client, db)
    public_id, _ = await new_session(
        client,
        title="Werkbezoek",
        planned_date=DAY.isoformat(),
        planned_start="09:15",
        planned_end="11:00",
    )
    await new_session(client, title="Zonder tijd")
    assert 'href="/agenda"' in (await client.get("/account")).text
    page = await client.get("/agenda")
    made = await post_form(client, "/agenda", [*form_fields(page.text, "/agenda"), ("op", "renew")])
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    found = re.search(r'value="(http://testserver(/agenda/[A-Za-z0-9_-]+\.ics))"', made.text)
    assert found, text_of(made.text)
    path = found.group(2)
    async with other_client(client._transport.app) as calendar_app:  # type: ignore[attr-defined]
        answer = await calendar_app.get(path)  # no login: the address is the secret
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(answer.text)
        assert calendar["METHOD"] == "PUBLISH"
        event = _event(calendar)  # only the planned session
        assert str(event["SUMMARY"]) == "Werkbezoek"
        assert str(event["UID"]) == f"session-{public_id}@example.nl"
        assert event.decoded("DTSTART") == _utc(DAY, 9, 15)
        assert (await calendar_app.get("/agenda/" + "x" * 43 + ".ics")).status_code == 404

        # A new address ends the old one; stopping ends the new one.
        page = await client.get("/agenda")
        renewed = await post_form(
            client, "/agenda", [*form_fields(page.text, "/agenda"), ("op", "renew")]
        )
        again = re.search(r'value="http://testserver(/agenda/[A-Za-z0-9_-]+\.ics)"', renewed.text)
        assert again and again.group(1) != path
        assert (await calendar_app.get(path)).status_code == 404
        assert (await calendar_app.get(again.group(1))).status_code == 200
        page = await client.get("/agenda")
        stopped = await post_form(
            client, "/agenda", [*form_fields(page.text, "/agenda"), ("op", "revoke")]
        )
        assert stopped.status_code == 303
        assert (await calendar_app.get(again.group(1))).status_code == 404
    assert "Je hebt geen agenda-adres." in text_of((await client.get("/agenda")).text)
    page = await client.get("/agenda")
    wrong = await post_form(client, "/agenda", [*form_fields(page.text, "/agenda"), ("op", "iets")])
    assert wrong.status_code == 400
    assert "Kies: een nieuw adres maken of het adres stoppen." in text_of(wrong.text)


async def test_the_calendar_feed_stops_when_the_account_loses_its_facilitating_role(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], seeded: list[str]
) -> None:
    """Without the role, /agenda (where the address is stopped) is closed to the account: the
    address it made must not go on publishing its sessions."""
    await facilitator(client, db)
    await new_session(
        client,
        title="Werkbezoek",
        planned_date=DAY.isoformat(),
        planned_start="09:15",
        planned_end="11:00",
    )
    page = await client.get("/agenda")
    made = await post_form(client, "/agenda", [*form_fields(page.text, "/agenda"), ("op", "renew")])
    found = re.search(r'value="http://testserver(/agenda/[A-Za-z0-9_-]+\.ics)"', made.text)
    assert found, text_of(made.text)
    async with other_client(client._transport.app) as calendar_app:  # type: ignore[attr-defined]
        assert (await calendar_app.get(found.group(1))).status_code == 200
        async with db() as session:
            await session.execute(delete(UserRole))
            await session.commit()
        assert (await client.get("/agenda")).status_code == 403
        assert (await calendar_app.get(found.group(1))).status_code == 404


async def test_the_facilitator_is_reminded_once_of_an_open_harvest_a_day_after_the_session(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    mail_server: MailServer,
) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    await facilitator(client, db)
    ended, code = await new_session(client, title="Intervisie afgelopen")
    async with other_client(app) as participant:
        assert (await join(participant, code, "Pieter Participant")).status_code == 303
    await end(app, db, ended)
    past = dt.datetime.now(AMSTERDAM).date() - dt.timedelta(days=3)
    planned, _ = await new_session(
        client,
        title="Gepland en voorbij",
        planned_date=past.isoformat(),
        planned_start="10:00",
        planned_end="11:00",
    )
    await new_session(client, title="Nog bezig")  # neither ended nor planned: no reminder

    assert await remind_due(db, "http://testserver") == 1  # the planned one; the other ended now
    assert await remind_due(db, "http://testserver", utcnow() + dt.timedelta(days=2)) == 1
    app.state.mail.wake()
    mails = await mail_server.wait_for(2)
    assert {m["To"] for m in mails} == {"fenna@example.org"}
    texts = ["".join(parts(m)) for m in mails]
    assert any(f"http://testserver/sessies/{planned}/uitkomst" in t for t in texts)
    assert any(f"http://testserver/sessies/{ended}/uitkomst" in t for t in texts)
    assert all("De oogst van je sessie staat nog open" in m["Subject"] for m in mails)
    assert all("Pieter" not in t for t in texts)
    # Once per session.
    assert await remind_due(db, "http://testserver", utcnow() + dt.timedelta(days=5)) == 0


async def test_a_session_ended_before_its_planned_start_is_cancelled_for_its_invitees(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    mail_server: MailServer,
) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    await facilitator(client, db)
    colleague = await make_user(db, email="sanne@example.org", name="Sanne", roles=["educator"])
    public_id, _ = await new_session(
        client,
        title="Gaat niet door",
        planned_date=DAY.isoformat(),
        planned_start="10:00",
        planned_end="11:00",
    )
    page = await client.get(f"/sessies/{public_id}/uitnodigen")
    fields = form_fields(page.text, f"/sessies/{public_id}/uitnodigen")
    await post_form(
        client, f"/sessies/{public_id}/uitnodigen", [*fields, ("account", str(colleague.id))]
    )
    await mail_server.wait_for(1)
    assert await cancel_ended_early(db, "http://testserver", "werkplaats@example.nl") == 0
    await end(app, db, public_id)
    ended = await post_form(
        client, f"/sessies/{public_id}/uitnodigen", [*fields, ("account", str(colleague.id))]
    )
    assert ended.status_code == 422 and "Deze sessie is afgelopen" in text_of(ended.text)
    assert await cancel_ended_early(db, "http://testserver", "werkplaats@example.nl") == 1
    assert await cancel_ended_early(db, "http://testserver", "werkplaats@example.nl") == 0
    app.state.mail.wake()
    cancel = (await mail_server.wait_for(2))[1]
    method, calendar = _calendar(cancel)
    assert method == "CANCEL" and str(_event(calendar)["UID"]) == f"session-{public_id}@example.nl"
    assert (await _row(db, public_id)).planned_start is None


async def test_the_api_plans_a_session_and_refuses_a_wrong_plan(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], seeded: list[str]
) -> None:
    await facilitator(client, db)
    start_at, end_at = _utc(DAY, 9, 0), _utc(DAY, 12, 0)
    created = await client.post(
        "/api/sessions",
        json={
            "title": "Via de API",
            "planned_start": start_at.astimezone(AMSTERDAM).isoformat(),
            "planned_end": end_at.isoformat(),
        },
    )
    assert created.status_code == 201, created.text
    row = await _row(db, created.json()["session"])
    assert (row.planned_start, row.planned_end) == (start_at, end_at)
    for body, words in [
        ({"planned_start": end_at.isoformat(), "planned_end": start_at.isoformat()}, "after"),
        ({"planned_start": start_at.isoformat()}, "end after its start"),
        ({"planned_start": "2026-12-20T10:00:00", "planned_end": end_at.isoformat()}, "timezone"),
        (
            {
                "planned_start": start_at.isoformat(),
                "planned_end": (start_at + dt.timedelta(days=100)).isoformat(),
            },
            "at most 92 days",
        ),
        # A moment a date-time can hold but not in UTC (it was a server error); and year 1.
        (
            {
                "planned_start": "9999-12-31T23:00:00-14:00",
                "planned_end": "9999-12-31T23:30:00-14:00",
            },
            "between the years 2000 and 2200",
        ),
        (
            {"planned_start": "0001-01-01T00:00:00+01:00", "planned_end": end_at.isoformat()},
            "between the years 2000 and 2200",
        ),
    ]:
        refused = await client.post("/api/sessions", json={"title": "Fout", **body})
        assert refused.status_code == 422, body
        assert words in refused.json()["message"], refused.json()
    assert await sessions_in(db) == 1
    # 92 days on the clock, also across the end of summer time (92 days and an hour in UTC).
    across = {
        "planned_start": "2027-08-02T09:00:00+02:00",
        "planned_end": "2027-11-02T09:00:00+01:00",
    }
    created = await client.post("/api/sessions", json={"title": "Tot in november", **across})
    assert created.status_code == 201, created.text
    later = {**across, "planned_end": "2027-11-02T09:01:00+01:00"}
    refused = await client.post("/api/sessions", json={"title": "Fout", **later})
    assert refused.status_code == 422 and "at most 92 days" in refused.json()["message"]


async def test_erasing_an_account_takes_its_session_invitations_and_calendar_address(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    mail_server: MailServer,
) -> None:
    await facilitator(client, db)
    colleague = await make_user(
        db, email="sanne@example.org", name="Sanne Bakker", roles=["educator"]
    )
    public_id, _ = await new_session(
        client,
        title="Moreel beraad",
        planned_date=DAY.isoformat(),
        planned_start="14:30",
        planned_end="16:00",
    )
    page = await client.get(f"/sessies/{public_id}/uitnodigen")
    fields = form_fields(page.text, f"/sessies/{public_id}/uitnodigen")
    sent = await post_form(
        client, f"/sessies/{public_id}/uitnodigen", [*fields, ("account", str(colleague.id))]
    )
    assert sent.status_code == 200
    page = await client.get("/agenda")
    made = await post_form(client, "/agenda", [*form_fields(page.text, "/agenda"), ("op", "renew")])
    found = re.search(r'value="http://testserver(/agenda/[A-Za-z0-9_-]+\.ics)"', made.text)
    assert found
    app = client._transport.app  # type: ignore[attr-defined]
    async with other_client(app) as calendar_app:
        assert (await calendar_app.get(found.group(1))).status_code == 200

    invited = await app.state.eraser(
        db, ErasureAsk(Person.by_account("sanne@example.org")), app, None
    )
    assert invited.tables["session_invitations"] == 1
    owner = await app.state.eraser(
        db, ErasureAsk(Person.by_account("fenna@example.org")), app, None
    )
    assert owner.tables["calendar_feeds"] == 1
    async with db() as session:
        assert not list(await session.scalars(select(SessionInvitation)))
        assert not list(await session.scalars(select(CalendarFeed)))
    async with other_client(app) as calendar_app:
        assert (await calendar_app.get(found.group(1))).status_code == 404
    # The coordinator's erase page names every table an erasure may change.
    assert set(TABLES) <= set(TABLE_LABELS)


async def test_erasing_a_name_takes_it_from_the_mail_about_a_session_too(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    mail_server: MailServer,
) -> None:
    """A session's title goes into the invitations mailed about it (kept a week after sending):
    a name erased from the title is erased from them as well, as everywhere else."""
    await facilitator(client, db)
    colleague = await make_user(
        db, email="sanne@example.org", name="Sanne Bakker", roles=["educator"]
    )
    public_id, _ = await new_session(
        client,
        title="Intervisie over Henk Zwartveen",
        planned_date=DAY.isoformat(),
        planned_start="14:30",
        planned_end="16:00",
    )
    page = await client.get(f"/sessies/{public_id}/uitnodigen")
    fields = form_fields(page.text, f"/sessies/{public_id}/uitnodigen")
    sent = await post_form(
        client, f"/sessies/{public_id}/uitnodigen", [*fields, ("account", str(colleague.id))]
    )
    assert sent.status_code == 200
    async with db() as session:
        [mail] = await session.scalars(select(MailOutbox))
        assert "Zwartveen" in mail.subject + mail.text + mail.html + (mail.calendar or "")
    app = client._transport.app  # type: ignore[attr-defined]
    report = await app.state.eraser(db, ErasureAsk(Person.by_name("henk zwartveen")), app, None)
    assert report.tables["mail_outbox"] == 1
    async with db() as session:
        [mail] = await session.scalars(select(MailOutbox))
        everything = mail.subject + mail.text + mail.html + (mail.calendar or "")
        assert "zwartveen" not in everything.casefold()
        assert "[naam verwijderd]" in mail.text and mail.to == "sanne@example.org"
    again = await app.state.eraser(db, ErasureAsk(Person.by_name("Henk Zwartveen")), app, None)
    assert not again.changed


async def test_each_invitee_gets_the_invitation_and_its_change_in_their_own_language(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    mail_server: MailServer,
) -> None:
    await facilitator(client, db)
    english = await make_user(db, email="sam@example.org", name="Sam Smith", roles=["educator"])
    dutch = await make_user(db, email="sanne@example.org", name="Sanne Bakker", roles=["educator"])
    async with db() as session:
        await set_language(session, english.id, "en")
    public_id, _ = await new_session(
        client,
        title="Moreel beraad",
        planned_date=DAY.isoformat(),
        planned_start="14:30",
        planned_end="16:00",
    )
    page = await client.get(f"/sessies/{public_id}/uitnodigen")
    fields = form_fields(page.text, f"/sessies/{public_id}/uitnodigen")
    sent = await post_form(
        client,
        f"/sessies/{public_id}/uitnodigen",
        [*fields, ("account", str(english.id)), ("account", str(dutch.id))],
    )
    assert sent.status_code == 200
    first = {mail["To"]: mail for mail in await mail_server.wait_for(2)}
    assert first["sam@example.org"]["Subject"] == "Invitation for a Werkplaats session"
    assert first["sam@example.org"]["Content-Language"] == "en"
    assert first["sanne@example.org"]["Content-Language"] == "nl"
    assert (await _plan(client, public_id, planned_start="15:00")).status_code == 303
    changed = {mail["To"]: mail for mail in (await mail_server.wait_for(4))[2:]}
    assert changed["sam@example.org"]["Subject"] == "Changed: a Werkplaats session"
    assert changed["sanne@example.org"]["Content-Language"] == "nl"


async def test_the_harvest_reminder_is_in_the_facilitators_mail_language(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    mail_server: MailServer,
) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    await facilitator(client, db)
    assert (
        await post_form(
            client,
            "/account/taal",
            [
                *form_fields((await client.get("/account")).text, "/account/taal"),
                ("language", "en"),
            ],
        )
    ).status_code == 303
    past = dt.datetime.now(AMSTERDAM).date() - dt.timedelta(days=3)
    await new_session(
        client,
        title="Gepland en voorbij",
        planned_date=past.isoformat(),
        planned_start="10:00",
        planned_end="11:00",
    )
    assert await remind_due(db, "http://testserver") == 1
    app.state.mail.wake()
    [mail] = await mail_server.wait_for(1)
    assert mail["Subject"] == "The harvest of your session is still open"
    assert mail["Content-Language"] == "en"


async def test_the_harvest_reminder_follows_the_site_s_language_for_an_account_without_one(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    mail_server: MailServer,
) -> None:
    # An account without a mail language sees the site's default chosen on /account; its
    # reminder is in that language too, not always in Dutch.
    app = client._transport.app  # type: ignore[attr-defined]
    await facilitator(client, db)
    past = dt.datetime.now(AMSTERDAM).date() - dt.timedelta(days=3)
    await new_session(
        client,
        title="Gepland en voorbij",
        planned_date=past.isoformat(),
        planned_start="10:00",
        planned_end="11:00",
    )
    assert await remind_due(db, "http://testserver", default_language="en") == 1
    app.state.mail.wake()
    [mail] = await mail_server.wait_for(1)
    assert mail["Subject"] == "The harvest of your session is still open"
    assert mail["Content-Language"] == "en"
