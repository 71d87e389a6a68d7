"""Password reset over HTTP, as a browser does it, with the mail read from a real SMTP server."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from server.auth import COOKIE
from server.erasure import ErasureAsk, Person
from server.mail.models import MailOutbox
from server.models import AuditEntry, PasswordReset, ResetRequest, User
from server.settings import Settings
from tests.helpers import PASSWORD, log_in, make_user, submit
from tests.mail_server import MailServer, mail_server, parts, with_mail

__all__ = ["mail_server"]  # the fixture, used by name
NEW_PASSWORD = "a brand new password"
LINK = re.compile(r"http://testserver(/wachtwoord/nieuw/[A-Za-z0-9_-]+)")
SAME_ANSWER = "Als dit adres bij ons bekend is, krijg je een mail"


@pytest.fixture
def settings(database_url: str, tmp_path: Path, mail_server: MailServer) -> Settings:
    plain = Settings(
        database_url=database_url,
        secret_key="test-secret-key-not-for-production",
        data_dir=tmp_path,
    )
    return with_mail(plain, mail_server)


async def _ask(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await submit(client, "/wachtwoord/vergeten", "/wachtwoord/vergeten", {"email": email})


def _link(text: str) -> str:
    match = LINK.search(text)
    assert match, f"no reset link in the mail: {text!r}"
    return match.group(1)


async def _set_password(
    client: httpx.AsyncClient, path: str, password: str = NEW_PASSWORD
) -> httpx.Response:
    return await submit(client, path, path, {"password": password})


async def _count(db: async_sessionmaker[AsyncSession], model: type) -> int:
    async with db() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def _without_csrf(html: str) -> str:
    return re.sub(r'value="[^"]*"', "", html)


async def test_a_forgotten_password_is_reset_with_the_link_from_the_mail(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], mail_server: MailServer
) -> None:
    await make_user(db, email="fenna@example.org", name="Fenna de Vries")
    login_page = await client.get("/login")
    assert 'href="/wachtwoord/vergeten"' in login_page.text
    assert "Wachtwoord vergeten?" in login_page.text
    # Logged in elsewhere (another browser): that login ends with the new password.
    async with httpx.AsyncClient(
        transport=client._transport, base_url="http://testserver"
    ) as elsewhere:
        await log_in(elsewhere, "fenna@example.org")
        assert (await elsewhere.get("/api/me")).status_code == 200

        answer = await _ask(client, "Fenna@Example.org")
        assert answer.status_code == 200
        assert SAME_ANSWER in answer.text
        [mail] = await mail_server.wait_for(1)
        assert mail["To"] == "fenna@example.org"
        assert mail["From"] == "werkplaats@example.nl"
        assert mail["Subject"] == "Een nieuw wachtwoord voor Werkplaats"
        assert mail["Content-Language"] == "nl"
        text, html = parts(mail)
        assert "Open dan deze link" in text and "Open dan deze link" in html
        path = _link(text)
        assert f'href="http://testserver{path}"' in html
        assert "Fenna" not in text + html  # the mail names nobody

        form = await client.get(path)
        assert form.status_code == 200
        assert "Kies een nieuw wachtwoord" in form.text
        done = await _set_password(client, path)
        assert done.status_code == 200
        assert "Je wachtwoord is gewijzigd" in done.text
        assert (await elsewhere.get("/api/me")).status_code == 401

    assert (await log_in(client, "fenna@example.org", PASSWORD)).status_code == 401
    assert (await log_in(client, "fenna@example.org", NEW_PASSWORD)).status_code == 303
    assert COOKIE in client.cookies
    async with db() as session:
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["password.reset_request", "password.reset"]


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], mail_server: MailServer
) -> None:
    await make_user(db, email="fenna@example.org")
    known = await _ask(client, "fenna@example.org")
    unknown = await _ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert _without_csrf(known.text) == _without_csrf(unknown.text)
    await mail_server.wait_for(1)
    assert await _count(db, MailOutbox) == 1
    assert [m["To"] for m in mail_server.messages] == ["fenna@example.org"]
    async with db() as session:  # nothing of the unknown address is kept in the clear
        digests = list(await session.scalars(select(ResetRequest.email_digest)))
    assert len(digests) == 2 and all("@" not in digest for digest in digests)


async def test_requests_are_bounded_per_address_known_or_not(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], mail_server: MailServer
) -> None:
    await make_user(db, email="fenna@example.org")
    for email in ("fenna@example.org", "nobody@example.org"):
        for _ in range(3):
            assert (await _ask(client, email)).status_code == 200
        refused = await _ask(client, email)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "3600"
        assert "Te veel aanvragen voor een nieuw wachtwoord" in refused.text
    await mail_server.wait_for(3)
    assert await _count(db, MailOutbox) == 3


async def test_a_bad_address_is_refused_and_nothing_is_kept(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    response = await _ask(client, "not an address")
    assert response.status_code == 422
    assert "is geen e-mailadres" in response.text
    assert await _count(db, ResetRequest) == 0
    assert await _count(db, MailOutbox) == 0


async def test_a_link_works_once(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], mail_server: MailServer
) -> None:
    await make_user(db)
    await _ask(client, "fenna@example.org")
    path = _link(parts((await mail_server.wait_for(1))[0])[0])
    assert (await _set_password(client, path)).status_code == 200
    again = await client.get(path)
    assert again.status_code == 410
    assert "Deze link werkt niet meer: hij is al gebruikt" in again.text
    csrf = client.cookies["werkplaats_csrf"]
    replay = await client.post(path, data={"password": "yet another password", "csrf_token": csrf})
    assert replay.status_code == 410
    assert (await log_in(client, "fenna@example.org", NEW_PASSWORD)).status_code == 303


async def test_a_newer_link_ends_the_older_one(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], mail_server: MailServer
) -> None:
    await make_user(db)
    await _ask(client, "fenna@example.org")
    first = _link(parts((await mail_server.wait_for(1))[0])[0])
    await _ask(client, "fenna@example.org")
    second = _link(parts((await mail_server.wait_for(2))[1])[0])
    refused = await client.get(first)
    assert refused.status_code == 410
    assert "er is een nieuwere link gestuurd" in refused.text
    assert (await client.get(second)).status_code == 200


async def test_an_expired_link_says_so(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], mail_server: MailServer
) -> None:
    await make_user(db)
    await _ask(client, "fenna@example.org")
    path = _link(parts((await mail_server.wait_for(1))[0])[0])
    async with db() as session:
        hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        await session.execute(update(PasswordReset).values(expires_at=hour_ago))
        await session.commit()
    page = await client.get(path)
    assert page.status_code == 410
    assert "Deze link is verlopen" in page.text
    refused = await client.post(
        path, data={"password": NEW_PASSWORD, "csrf_token": client.cookies["werkplaats_csrf"]}
    )
    assert refused.status_code == 410
    assert (await log_in(client, "fenna@example.org", PASSWORD)).status_code == 303


async def test_a_made_up_link_is_refused(client: httpx.AsyncClient) -> None:
    page = await client.get("/wachtwoord/nieuw/made-up-token")
    assert page.status_code == 410
    assert "Deze link werkt niet meer" in page.text


async def test_a_weak_new_password_is_refused_and_the_link_still_works(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], mail_server: MailServer
) -> None:
    await make_user(db)
    await _ask(client, "fenna@example.org")
    path = _link(parts((await mail_server.wait_for(1))[0])[0])
    weak = await _set_password(client, path, "short")
    assert weak.status_code == 422
    assert "Een wachtwoord heeft minstens 10" in weak.text
    assert (await log_in(client, "fenna@example.org", PASSWORD)).status_code == 303
    assert (await _set_password(client, path)).status_code == 200


async def test_the_mail_is_in_english_for_an_english_visitor(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], mail_server: MailServer
) -> None:
    await make_user(db)
    client.cookies.set("werkplaats_lang", "en")
    answer = await _ask(client, "fenna@example.org")
    assert "If we know this address, you will get an email" in answer.text
    [mail] = await mail_server.wait_for(1)
    assert mail["Subject"] == "A new password for Werkplaats"
    assert mail["Content-Language"] == "en"
    text, html = parts(mail)
    assert "Then open this link to set a new password" in text
    assert '<html lang="en">' in html
    assert "Set a new password" in html


async def test_links_use_the_request_address_when_no_public_url_is_set(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    # No mail server: queued, not sent; the link is read from the outbox.
    quiet = dataclasses.replace(settings, smtp_host=None, public_url="")
    from server.app import create_app

    other = create_app(quiet)
    async with other.router.lifespan_context(other):
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url="http://site.test") as c:
            await make_user(db)
            await _ask(c, "fenna@example.org")
    async with db() as session:
        mail = await session.scalar(select(MailOutbox))
    assert mail is not None and mail.sent_at is None
    assert "http://site.test/wachtwoord/nieuw/" in mail.text


async def test_erasing_the_account_takes_its_links_and_mail(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    mail_server: MailServer,
) -> None:
    await make_user(db)
    await _ask(client, "fenna@example.org")
    path = _link(parts((await mail_server.wait_for(1))[0])[0])
    report = await app.state.eraser(
        db, ErasureAsk(Person.by_account("fenna@example.org")), app, None
    )
    assert report.tables["password_resets"] == 1 and report.tables["mail_outbox"] == 1
    assert await _count(db, PasswordReset) == 0
    assert await _count(db, MailOutbox) == 0
    assert (await client.get(path)).status_code == 410


async def test_an_account_that_chose_english_gets_its_mail_in_english(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], mail_server: MailServer
) -> None:
    await make_user(db)
    assert (await log_in(client, "fenna@example.org")).status_code == 303
    page = await client.get("/account")
    assert 'id="mail-language"' in page.text and "Taal van je e-mail" in page.text
    assert '<option value="nl" selected>' in page.text  # the site's default until chosen
    wrong = await submit(client, "/account", "/account/taal", {"language": "fr"})
    assert wrong.status_code == 422 and 'id="language-error"' in wrong.text
    assert "Kies een van de talen die er staan (nl, en)." in wrong.text
    async with db() as session:
        assert await session.scalar(select(User.language)) is None  # nothing stored
    chosen = await submit(client, "/account", "/account/taal", {"language": "en"})
    assert chosen.status_code == 303
    assert '<option value="en" selected>' in (await client.get("/account")).text

    # Asked from a Dutch page: the mail is in the account's language all the same.
    async with httpx.AsyncClient(
        transport=client._transport, base_url="http://testserver"
    ) as someone:
        answer = await _ask(someone, "fenna@example.org")
        assert SAME_ANSWER in answer.text
    [mail] = await mail_server.wait_for(1)
    assert mail["Subject"] == "A new password for Werkplaats"
    assert mail["Content-Language"] == "en"
