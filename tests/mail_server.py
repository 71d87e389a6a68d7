"""A real SMTP server on a loopback port (aiosmtpd, in its own thread) that keeps what it
receives, for the tests to read as a mail client would."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import email.policy
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from server.settings import Settings
from tests.ports import free_port


class _Keep:
    def __init__(self, inbox: MailServer) -> None:
        self._inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self._inbox.received(message, list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class MailServer:
    """The server; `start()` and `stop()` it at will (a down server: not started yet)."""

    def __init__(self, port: int | None = None, **options: Any) -> None:
        """`options` go to aiosmtpd's Controller (TLS, authentication)."""
        self.port = port or free_port()
        self._options = options
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def received(self, message: EmailMessage, recipients: list[str]) -> None:
        with self._lock:
            self.messages.append(message)
            self.recipients.append(recipients)

    def start(self) -> None:
        self._controller = Controller(
            _Keep(self), hostname="127.0.0.1", port=self.port, **self._options
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def wait_for(self, count: int, seconds: float = 10.0) -> list[EmailMessage]:
        """The first `count` messages, waiting for them to arrive (AssertionError if not)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages[:count])
            await asyncio.sleep(0.02)
        raise AssertionError(f"{len(self.messages)} mails arrived, expected {count}")


def with_mail(settings: Settings, server: MailServer) -> Settings:
    """`settings` sending through `server`, with links to http://testserver, polled and retried
    quickly."""
    return dataclasses.replace(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=server.port,
        smtp_tls="none",
        mail_from="werkplaats@example.nl",
        public_url="http://testserver",
        mail_poll_seconds=0.1,
        mail_retry_seconds=0.2,
    )


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain text and the HTML of a mail."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, "a mail has a text and an HTML part"
    return str(text.get_content()), str(html.get_content())


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """A running SMTP server that keeps every message."""
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def down_mail_server() -> Iterator[MailServer]:
    """An SMTP server not running yet: its port refuses connections until `start()`."""
    server = MailServer()
    yield server
    server.stop()
