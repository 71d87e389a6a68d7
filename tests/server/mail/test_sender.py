"""The outbox and its sender against a real SMTP server on loopback: a down server loses no
mail, a restart loses no mail, several senders send each mail once, and a mail that cannot be
sent for three days is given up with its error kept."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.app import create_app
from server.mail import outbox
from server.mail.models import MailOutbox
from server.mail.render import Message
from server.mail.sender import MailSender
from server.settings import Settings
from tests.helpers import make_user, submit
from tests.mail_server import MailServer, down_mail_server, mail_server, parts, with_mail

__all__ = ["down_mail_server", "mail_server"]  # fixtures, used by name


def _message(n: int) -> Message:
    return Message(
        to=f"person{n}@example.org",
        subject=f"Mail {n}",
        text=f"Tekst {n}",
        html=f"<p>Tekst {n}</p>",
        language="nl",
    )


async def _outbox(db: async_sessionmaker[AsyncSession]) -> list[MailOutbox]:
    async with db() as session:
        return list(await session.scalars(select(MailOutbox).order_by(MailOutbox.id)))


async def test_a_mail_queued_while_the_server_is_down_is_sent_when_it_is_back(
    settings: Settings,
    db: async_sessionmaker[AsyncSession],
    down_mail_server: MailServer,
) -> None:
    await make_user(db)
    app = create_app(with_mail(settings, down_mail_server))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            started = time.monotonic()
            answer = await submit(
                client,
                "/wachtwoord/vergeten",
                "/wachtwoord/vergeten",
                {"email": "fenna@example.org"},
            )
            assert answer.status_code == 200
            assert time.monotonic() - started < 2  # the request did not wait for the mail
        # The sender tried and failed: the mail waits in the outbox with the reason.
        deadline = time.monotonic() + 5
        while True:
            [mail] = await _outbox(db)
            if mail.attempts >= 1 and mail.last_error:
                break
            assert time.monotonic() < deadline, "the sender never tried"
            await asyncio.sleep(0.05)
        assert mail.sent_at is None and mail.next_attempt_at is not None
        assert "Connect" in mail.last_error or "Errno" in mail.last_error
        assert down_mail_server.messages == []

        down_mail_server.start()
        [received] = await down_mail_server.wait_for(1)
        assert received["To"] == "fenna@example.org"
        text, html = parts(received)
        assert "/wachtwoord/nieuw/" in text and "/wachtwoord/nieuw/" in html
        deadline = time.monotonic() + 5
        while (await _outbox(db))[0].sent_at is None:
            assert time.monotonic() < deadline, "the mail was not marked sent"
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            metrics = await client.get("/metrics")
        assert "werkplaats_mail_sent_total 1.0" in metrics.text
        assert "werkplaats_mail_failed_attempts_total" in metrics.text
    await asyncio.sleep(0.3)
    assert len(down_mail_server.messages) == 1  # sent once


async def test_a_mail_queued_before_a_restart_is_sent_after_it(
    settings: Settings, db: async_sessionmaker[AsyncSession], mail_server: MailServer
) -> None:
    await make_user(db)
    # First run: no mail server configured; the mail is queued, not sent.
    first = create_app(dataclasses.replace(settings, smtp_host=None))
    async with first.router.lifespan_context(first):
        transport = httpx.ASGITransport(app=first)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await submit(
                client,
                "/wachtwoord/vergeten",
                "/wachtwoord/vergeten",
                {"email": "fenna@example.org"},
            )
    [queued] = await _outbox(db)
    assert queued.sent_at is None and queued.attempts == 0
    assert mail_server.messages == []
    # The next run (a new process, its own sender) sends it.
    second = create_app(with_mail(settings, mail_server))
    async with second.router.lifespan_context(second):
        [received] = await mail_server.wait_for(1)
        assert received["To"] == "fenna@example.org"


async def test_a_mail_is_queued_only_when_its_transaction_commits(
    db: async_sessionmaker[AsyncSession],
) -> None:
    async with db() as session:
        outbox.queue(session, _message(1))
        await session.rollback()
        outbox.queue(session, _message(2))
        await session.commit()
    assert [mail.to for mail in await _outbox(db)] == ["person2@example.org"]


async def test_several_senders_send_each_mail_once(
    settings: Settings, db: async_sessionmaker[AsyncSession], mail_server: MailServer
) -> None:
    async with db() as session:
        for n in range(12):
            outbox.queue(session, _message(n))
        await session.commit()
    mail_settings = with_mail(settings, mail_server)
    senders = [MailSender(db, mail_settings) for _ in range(3)]
    tasks = [asyncio.create_task(sender.run()) for sender in senders]
    try:
        await mail_server.wait_for(12)
        # A mail counts as sent once its sender has the server's answer and marked it in the
        # outbox, a moment after the server has it (a fixed 0.3 s was now and then too short
        # for that commit on a loaded machine).
        deadline = time.monotonic() + 30
        while sum(sender.sent for sender in senders) < 12 or not all(
            mail.sent_at is not None for mail in await _outbox(db)
        ):
            assert time.monotonic() < deadline, "not every mail was marked sent"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # time for a second sending of any of them, which must not come
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert sorted(str(m["To"]) for m in mail_server.messages) == sorted(
        f"person{n}@example.org" for n in range(12)
    )
    assert sum(sender.sent for sender in senders) == 12
    assert all(mail.sent_at is not None for mail in await _outbox(db))


async def test_retries_wait_longer_each_time_up_to_an_hour() -> None:
    first = dt.timedelta(seconds=30)
    waits = [outbox.retry_delay(n, first).total_seconds() for n in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


async def test_a_mail_that_cannot_be_sent_for_three_days_is_given_up_with_its_error(
    settings: Settings, db: async_sessionmaker[AsyncSession], down_mail_server: MailServer
) -> None:
    async with db() as session:
        outbox.queue(session, _message(1))
        await session.commit()
        four_days_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=4)
        await session.execute(update(MailOutbox).values(created_at=four_days_ago))
        await session.commit()
    sender = MailSender(db, with_mail(settings, down_mail_server))
    assert await sender.send_one() is False
    [mail] = await _outbox(db)
    assert mail.sent_at is None and mail.next_attempt_at is None
    assert mail.last_error and mail.attempts == 1
    assert sender.given_up == 1
    down_mail_server.start()
    assert await sender.send_one() is False  # given up: not tried again
    assert down_mail_server.messages == []


async def test_without_a_mail_server_mail_is_queued_and_the_log_says_so_once(
    settings: Settings, db: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with db() as session:
            outbox.queue(session, _message(1))
            await session.commit()
        app.state.mail.wake()
        await asyncio.sleep(0.2)
    said = [r.getMessage() for r in caplog.records if "SMTP_HOST" in r.getMessage()]
    assert said == ["WERKPLAATS_SMTP_HOST is not set: mail is queued in the database, not sent"]
    [mail] = await _outbox(db)
    assert mail.sent_at is None and mail.attempts == 0


async def test_old_mail_is_deleted_sent_after_a_week_given_up_after_a_month(
    db: async_sessionmaker[AsyncSession],
) -> None:
    async with db() as session:
        for n in range(4):
            outbox.queue(session, _message(n))
        await session.commit()
        now = dt.datetime.now(dt.UTC)
        ids = [mail.id for mail in await _outbox(db)]
        states = [  # (sent_at, next_attempt_at, created_at)
            (now - dt.timedelta(days=8), None, now - dt.timedelta(days=8)),  # goes
            (now - dt.timedelta(days=6), None, now - dt.timedelta(days=6)),  # stays
            (None, None, now - dt.timedelta(days=31)),  # given up long ago: goes
            (None, now, now - dt.timedelta(days=31)),  # still due (a claim will give up)
        ]
        for mail_id, (sent, due, created) in zip(ids, states, strict=True):
            await session.execute(
                update(MailOutbox)
                .where(MailOutbox.id == mail_id)
                .values(sent_at=sent, next_attempt_at=due, created_at=created)
            )
        await session.commit()
        await outbox.prune(session)
    assert [mail.id for mail in await _outbox(db)] == [ids[1], ids[3]]


async def test_a_mail_server_that_never_answers_holds_up_no_request(
    settings: Settings, db: async_sessionmaker[AsyncSession]
) -> None:
    """A server that takes the connection and then says nothing (overloaded, or a firewall
    that swallows packets): the page answers at once, the sender gives up the attempt after
    its timeout and keeps the mail."""
    connections: list[asyncio.StreamWriter] = []

    async def silent(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    await make_user(db)
    slow = dataclasses.replace(
        with_mail(settings, MailServer(port)), smtp_timeout_seconds=3, mail_retry_seconds=60
    )
    app = create_app(slow)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver"
            ) as client:
                started = time.monotonic()
                answer = await submit(
                    client,
                    "/wachtwoord/vergeten",
                    "/wachtwoord/vergeten",
                    {"email": "fenna@example.org"},
                )
                assert answer.status_code == 200
                assert time.monotonic() - started < 3  # answered before the attempt ended
            deadline = time.monotonic() + 10
            while not (await _outbox(db))[0].last_error:
                assert time.monotonic() < deadline, "the attempt never timed out"
                await asyncio.sleep(0.05)
            assert connections, "the sender did connect"
    finally:
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()
    [mail] = await _outbox(db)
    assert mail.sent_at is None and mail.next_attempt_at is not None
    assert "Timeout" in mail.last_error
