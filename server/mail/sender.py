"""The sender: a background task of every server process that sends what the outbox holds.

It wakes when this process queued a mail (`MailSender.wake`) and otherwise every
`mail_poll_seconds` (mail queued by other processes, mail due again). A mail server that is
slow or down never holds up a request: requests only queue."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import aiosmtplib
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from server.mail import outbox
from server.settings import Settings

log = logging.getLogger("werkplaats.mail")
PRUNE_EVERY = 3600.0  # seconds between deleting old mail (server/mail/outbox.py prune)


def email_message(mail: outbox.Claimed, sender: str) -> EmailMessage:
    """The mail as it goes out: plain text, with the HTML as the alternative, and a calendar
    attachment (text/calendar with its method, as calendar apps look for) when it has one."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    if mail.calendar is not None:
        method = mail.calendar_method or "PUBLISH"
        message.add_attachment(
            mail.calendar.encode(),
            maintype="text",
            subtype="calendar",
            filename="invite.ics" if method != "CANCEL" else "cancel.ics",
            params={"method": method, "charset": "utf-8"},
        )
    message["Content-Language"] = mail.language  # after the content, which clears Content-*
    return message


class MailSender:
    """Sends due mail from the outbox, one at a time, with retries (server/mail/outbox.py)."""

    def __init__(self, db: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._db = db
        self._settings = settings
        self._wake = asyncio.Event()
        self.sent = 0
        self.failed = 0
        self.given_up = 0
        self._next_prune = 0.0

    def wake(self) -> None:
        """A mail was queued (and committed): look now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        settings = self._settings
        if settings.smtp_host is None:
            log.warning("WERKPLAATS_SMTP_HOST is not set: mail is queued in the database, not sent")
            return
        while True:
            self._wake.clear()
            try:
                while await self.send_one():
                    pass
                if time.monotonic() >= self._next_prune:
                    async with self._db() as db:
                        await outbox.prune(db)
                    self._next_prune = time.monotonic() + PRUNE_EVERY
            except Exception:  # the database away: the next round tries again
                log.exception("mail: cannot read the outbox")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), settings.mail_poll_seconds)

    async def send_one(self) -> bool:
        """Claim and send one due mail; False when none is due."""
        async with self._db() as db:
            mail = await outbox.claim(db)
        if mail is None:
            return False
        try:
            await self._send(mail)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            reason = f"{type(error).__name__}: {error}"[:500]
            first = dt.timedelta(seconds=self._settings.mail_retry_seconds)
            async with self._db() as db:
                again = await outbox.mark_failed(db, mail, reason, first)
            if again:
                self.failed += 1
                log.warning("mail %s: attempt %s failed (%s)", mail.id, mail.attempts, reason)
            else:
                self.given_up += 1
                log.error(
                    "mail %s: given up after %s attempts (%s)", mail.id, mail.attempts, reason
                )
            # Stop this round: the mail server is likely down for the next mail too.
            return False
        async with self._db() as db:
            await outbox.mark_sent(db, mail.id)
        self.sent += 1
        log.info("mail %s: sent (attempt %s)", mail.id, mail.attempts)
        return True

    async def _send(self, mail: outbox.Claimed) -> None:
        settings = self._settings
        assert settings.smtp_host is not None
        await aiosmtplib.send(
            email_message(mail, settings.mail_from),
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            use_tls=settings.smtp_tls == "tls",
            start_tls=settings.smtp_tls == "starttls",
            timeout=settings.smtp_timeout_seconds,
        )


@contextlib.asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[None]:
    """Run the app's mail sender while it serves (`app.state.mail`)."""
    sender = MailSender(app.state.db, app.state.settings)
    app.state.mail = sender
    task = asyncio.create_task(sender.run(), name="mail sender")
    try:
        yield
    finally:
        task.cancel()
        # Bounded: a send or a query that does not give way to the cancellation must not hold
        # up the app's shutdown (a test's app once never finished stopping in CI).
        await asyncio.wait({task}, timeout=5)


class _Collector(Collector):
    def __init__(self, app: Starlette) -> None:
        self._app = app

    def collect(self) -> Iterator[Metric]:
        sender: MailSender | None = getattr(self._app.state, "mail", None)
        counts = (sender.sent, sender.failed, sender.given_up) if sender else (0, 0, 0)
        for name, help_text, value in zip(
            ("sent", "failed_attempts", "given_up"),
            (
                "Mails this process sent.",
                "Attempts to send a mail that failed (it is tried again later).",
                "Mails given up after three days of failed attempts (the outbox keeps the error).",
            ),
            counts,
            strict=True,
        ):
            yield CounterMetricFamily(f"werkplaats_mail_{name}", help_text, value=value)


def collector(app: Starlette) -> Collector:
    """The sender's counts on /metrics."""
    return _Collector(app)
