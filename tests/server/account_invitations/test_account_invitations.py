"""A coordinator invites someone to make an account; the invitee follows the mail's link, sets
a name and password, and logs in. The mail is read from a real SMTP server."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.account_invitations import actions as invitations
from server.app import create_app
from server.mail.models import MailOutbox
from server.models import AccountInvitation, User
from server.settings import Settings
from tests.helpers import SECRET_KEY, log_in, make_user, submit
from tests.mail_server import MailServer, mail_server, parts, with_mail

__all__ = ["mail_server"]  # the fixture, used by name
LINK = re.compile(r"http://testserver(/uitnodiging/[A-Za-z0-9_-]+)")
COORDINATOR = "coordinator@example.org"


@pytest.fixture
def settings(database_url: str, tmp_path: Path, mail_server: MailServer) -> Settings:
    plain = Settings(
        database_url=database_url,
        secret_key="test-secret-key-not-for-production",
        data_dir=tmp_path,
    )
    return with_mail(plain, mail_server)


async def _coordinator(client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]) -> None:
    await make_user(db, email=COORDINATOR, name="Coby Coördinator", roles=["coordinator"])
    await log_in(client, COORDINATOR)


async def _invite(client: httpx.AsyncClient, email: str, *roles: str) -> httpx.Response:
    page = await client.get("/beheer/accounts")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    data = {"csrf_token": token.group(1), "email": email, "roles": list(roles)}
    return await client.post("/beheer/accounts/uitnodigen", data=data)


def _other(client: httpx.AsyncClient) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=client._transport, base_url="http://testserver")


async def _count(db: async_sessionmaker[AsyncSession], model: type) -> int:
    async with db() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_an_invited_person_sets_a_name_and_password_and_logs_in(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], mail_server: MailServer
) -> None:
    await _coordinator(client, db)
    sent = await _invite(client, "Sanne@Example.org", "educator", "facilitator")
    assert sent.status_code == 200
    assert "De uitnodiging aan sanne@example.org is onderweg." in sent.text
    mail = (await mail_server.wait_for(1))[0]
    assert mail["To"] == "sanne@example.org"
    assert mail["Subject"] == "Je bent uitgenodigd voor Werkplaats"
    text, html = parts(mail)
    assert "7 dagen" in text and "Coby" not in text + html
    match = LINK.search(text)
    assert match, text
    path = match.group(1)
    async with db() as session:  # only the hash of the link's token is kept
        stored = (await session.scalars(select(AccountInvitation.token_hash))).all()
    assert path.rsplit("/", 1)[1] not in stored

    async with _other(client) as invitee:
        page = await invitee.get(path)
        assert page.status_code == 200 and "sanne@example.org" in page.text
        weak = await submit(invitee, path, path, {"name": "Sanne Bakker", "password": "kort"})
        assert weak.status_code == 422 and "minstens 10" in weak.text
        assert await _count(db, User) == 1
        done = await submit(
            invitee, path, path, {"name": "Sanne Bakker", "password": "een goed wachtwoord"}
        )
        assert done.status_code == 200 and "Je account is klaar" in done.text
        again = await invitee.get(path)
        assert again.status_code == 410 and "werkt niet meer" in again.text
    async with _other(client) as browser:
        await log_in(browser, "sanne@example.org", "een goed wachtwoord")
        account = await browser.get("/account")
        assert account.status_code == 200 and "Sanne Bakker" in account.text
    async with db() as session:
        user = await session.scalar(select(User).where(User.email == "sanne@example.org"))
        assert user is not None and user.granted_roles == {"educator", "facilitator"}


@pytest.mark.parametrize(
    ("email", "roles", "message"),
    [
        ("geen adres", ["educator"], "is geen e-mailadres"),
        ("sanne@example.org", [], "Kies minstens één rol"),
        ("sanne@example.org", ["baas"], "Onbekende rol"),
        (COORDINATOR, ["educator"], "Er is al een account"),
    ],
)
async def test_a_wrong_invitation_is_refused_clearly_and_nothing_is_sent(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    email: str,
    roles: list[str],
    message: str,
) -> None:
    await _coordinator(client, db)
    refused = await _invite(client, email, *roles)
    assert refused.status_code == 422
    assert message in refused.text
    assert await _count(db, AccountInvitation) == 0
    assert await _count(db, MailOutbox) == 0


async def test_an_expired_invitation_link_is_refused_and_only_coordinators_invite(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], mail_server: MailServer
) -> None:
    await _coordinator(client, db)
    assert (await _invite(client, "sanne@example.org", "educator")).status_code == 200
    match = LINK.search(parts((await mail_server.wait_for(1))[0])[0])
    assert match
    async with db() as session:
        await session.execute(
            update(AccountInvitation).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
            )
        )
        await session.commit()
    async with _other(client) as invitee:
        expired = await invitee.get(match.group(1))
        assert expired.status_code == 410 and "verlopen" in expired.text
        assert (await invitee.get("/uitnodiging/verzonnen")).status_code == 410
    await make_user(db, email="fenna@example.org", roles=["facilitator"])
    async with _other(client) as facilitator:
        await log_in(facilitator, "fenna@example.org")
        page = await facilitator.get("/account")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        data = {"email": "x@example.org", "roles": "educator"}
        if token:
            data["csrf_token"] = token.group(1)
        answer = await facilitator.post("/beheer/accounts/uitnodigen", data=data)
        assert answer.status_code == 403
    assert await _count(db, AccountInvitation) == 1


async def test_with_password_login_off_the_invitation_offers_only_the_institution_login(
    database_url: str, tmp_path: Path, db: async_sessionmaker[AsyncSession]
) -> None:
    # WERKPLAATS_PASSWORD_LOGIN=off: a password made on the invitation's page could never log
    # in, so the page offers the institution's login only and refuses a password.
    settings = Settings(
        database_url=database_url,
        secret_key=SECRET_KEY,
        data_dir=tmp_path,
        public_url="http://testserver",
        oidc_issuer="https://login.example.nl",
        oidc_client_id="werkplaats",
        oidc_client_secret="geheim-van-de-test",
        password_login=False,
    )
    coordinator = await make_user(db, email=COORDINATOR, roles=["coordinator"])
    async with db() as session:
        await invitations.invite(
            session,
            email="sanne@example.org",
            roles=["educator"],
            invited_by=coordinator.id,
            language="nl",
            base_url="http://testserver",
        )
        mail = await session.scalar(select(MailOutbox.text))
    match = LINK.search(mail or "")
    assert match, mail
    path = match.group(1)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as invitee:
            page = await invitee.get(path)
            assert page.status_code == 200
            assert 'id="invitation-oidc"' in page.text
            assert 'name="password"' not in page.text
            assert "wachtwoord" not in page.text.lower()
            token = invitee.cookies["werkplaats_csrf"]  # the page has no form to take it from
            refused = await invitee.post(
                path,
                data={
                    "name": "Sanne Bakker",
                    "password": "een goed wachtwoord",
                    "csrf_token": token,
                },
            )
            assert refused.status_code == 403
            assert "Inloggen met een wachtwoord staat hier uit. Log in met SURFconext." in (
                refused.text
            )
    assert await _count(db, User) == 1
    async with db() as session:
        invitation = await session.scalar(select(AccountInvitation))
    assert invitation is not None and invitation.used_at is None  # it still works
