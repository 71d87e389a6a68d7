"""The sender encrypts as WERKPLAATS_SMTP_TLS says (STARTTLS, or TLS from the first byte) and
logs in with the credentials, against a real SMTP server with a certificate made here; a
certificate it cannot trust fails the attempt (the mail waits), it never falls back to plain."""

from __future__ import annotations

import asyncio
import dataclasses
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.mail import outbox
from server.mail.models import MailOutbox
from server.mail.render import Message
from server.mail.sender import MailSender
from server.settings import Settings
from tests.mail_server import MailServer, parts

USER, PASSWORD = "werkplaats", "smtp secret"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: (certificate, key)."""
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def _authenticate(
    _server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok)


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def trusted(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The sender verifies the server with the system's trust store; here that is our certificate.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    yield


def _sender(
    db: async_sessionmaker[AsyncSession], settings: Settings, server: MailServer, tls: str
) -> MailSender:
    return MailSender(
        db,
        dataclasses.replace(
            settings,
            smtp_host="127.0.0.1",
            smtp_port=server.port,
            smtp_tls=tls,
            smtp_username=USER,
            smtp_password=PASSWORD,
            mail_from="werkplaats@example.nl",
            public_url="http://testserver",
            smtp_timeout_seconds=5,
        ),
    )


async def _queue(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as session:
        outbox.queue(
            session,
            Message(
                to="fenna@example.org", subject="Test", text="Tekst", html="<p>Tekst</p>",
                language="nl",
            ),
        )  # fmt: skip
        await session.commit()


def _running(tls: str, certificate: tuple[Path, Path]) -> MailServer:
    context = _server_context(certificate)
    options: dict[str, Any] = {"authenticator": _authenticate, "auth_required": True}
    if tls == "starttls":
        options.update(tls_context=context, require_starttls=True)
    else:  # encrypted from the first byte, which aiosmtpd's AUTH check does not see
        options.update(ssl_context=context, auth_require_tls=False)
    server = MailServer(**options)
    server.start()
    return server


@pytest.mark.parametrize("tls", ["starttls", "tls"])
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_mail_goes_encrypted_and_logged_in(
    tls: str,
    settings: Settings,
    db: async_sessionmaker[AsyncSession],
    certificate: tuple[Path, Path],
    trusted: None,
) -> None:
    server = await asyncio.to_thread(_running, tls, certificate)
    try:
        await _queue(db)
        sender = _sender(db, settings, server, tls)
        assert await sender.send_one() is True
        [mail] = await server.wait_for(1)
        assert parts(mail)[0].strip() == "Tekst"
    finally:
        server.stop()


async def test_an_untrusted_certificate_fails_the_attempt_and_the_mail_waits(
    settings: Settings, db: async_sessionmaker[AsyncSession], certificate: tuple[Path, Path]
) -> None:
    server = await asyncio.to_thread(_running, "starttls", certificate)
    try:
        await _queue(db)
        sender = _sender(db, settings, server, "starttls")
        assert await sender.send_one() is False
        assert server.messages == []
        async with db() as session:
            [mail] = list(await session.scalars(select(MailOutbox)))
        assert mail.sent_at is None and mail.next_attempt_at is not None
        assert "certificate" in mail.last_error.lower()
    finally:
        server.stop()
