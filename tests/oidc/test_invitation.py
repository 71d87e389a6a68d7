"""Accepting an account invitation with the institution's login, against the real OpenID
provider on loopback (tests/oidc/peer.py): only the invited address makes the account."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.account_invitations import actions
from server.mail.models import MailOutbox
from server.models import AccountInvitation, User
from tests.helpers import make_user
from tests.oidc.conftest import SITE
from tests.oidc.test_login import _FORM_ACTION, audit_actions, browser_at_provider, callback

__all__ = ["browser_at_provider"]  # the fixture, used by name


async def _invite(db: async_sessionmaker[AsyncSession], email: str, roles: list[str]) -> str:
    """A coordinator's invitation; the path of the link in its mail."""
    coordinator = await make_user(db, email="coco@example.org", roles=["coordinator"])
    async with db() as session:
        await actions.invite(
            session,
            email=email,
            roles=roles,
            invited_by=coordinator.id,
            language="nl",
            base_url=SITE,
        )
        mail = await session.scalar(select(MailOutbox).where(MailOutbox.to == email))
    assert mail is not None
    found = re.search(r"http://testserver(/uitnodiging/[A-Za-z0-9_-]+)", mail.text)
    assert found
    return found.group(1)


async def _through_provider(
    client: httpx.AsyncClient, at_provider: httpx.AsyncClient, start: str, email: str
) -> str:
    response = await client.get(start)
    assert response.status_code == 303, response.text
    url = response.headers["location"]
    assert "uitnodiging" not in url  # the provider sees the state, not the invitation
    for _ in range(20):
        if url.startswith(SITE):
            return url
        response = await at_provider.get(url)
        if not response.is_redirect:
            action = _FORM_ACTION.search(response.text)
            assert action, response.text
            if 'name="login"' in response.text:
                data = {"prompt": "login", "login": email, "password": "anything"}
            else:
                data = {"prompt": "consent"}
            response = await at_provider.post(urljoin(url, action.group(1)), data=data)
        assert response.is_redirect, response.text
        url = urljoin(url, response.headers["location"])
    raise AssertionError("the provider never sent the browser back")


async def _button(client: httpx.AsyncClient, link: str) -> str:
    page = await client.get(link)
    assert page.status_code == 200
    found = re.search(r'<a [^>]*id="invitation-oidc" href="([^"]+)"', page.text)
    assert found, page.text
    assert "Inloggen met SURFconext" in page.text and 'name="password"' in page.text
    return found.group(1)


async def test_the_invited_address_accepts_with_the_institution_once(
    client: httpx.AsyncClient,
    browser_at_provider: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
) -> None:
    link = await _invite(db, "sanne@hogeschool.example", ["facilitator", "educator"])
    start = await _button(client, link)
    url = await _through_provider(client, browser_at_provider, start, "Sanne@Hogeschool.example")
    response = await callback(client, url)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/account"
    account = await client.get("/account")
    assert account.status_code == 200
    assert "sanne@hogeschool.example" in account.text and "Begeleider" in account.text
    async with db() as session:
        user = await session.scalar(select(User).where(User.email == "sanne@hogeschool.example"))
        invitation = await session.scalar(select(AccountInvitation))
    assert user is not None and {r.value for r in user.granted_roles} == {
        "facilitator",
        "educator",
    }
    assert invitation is not None and invitation.used_at is not None
    assert (await audit_actions(db))[-2:] == ["account.accept", "login.oidc"]

    # The link is used up: its page and its institution button both say so.
    assert (await client.get(link)).status_code == 410
    again = await client.get(start)
    assert again.status_code == 410 and 'data-code="link_used"' in again.text


async def test_another_address_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient,
    browser_at_provider: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
) -> None:
    link = await _invite(db, "sanne@hogeschool.example", ["facilitator"])
    start = await _button(client, link)
    url = await _through_provider(client, browser_at_provider, start, "piet@hogeschool.example")
    response = await callback(client, url)
    assert response.status_code == 403
    assert 'data-code="invitation_other_address"' in response.text
    assert "piet@hogeschool.example" in response.text
    assert "sanne@hogeschool.example" in response.text
    async with db() as session:
        emails = set(await session.scalars(select(User.email)))
        invitation = await session.scalar(select(AccountInvitation))
    assert emails == {"coco@example.org"}
    assert invitation is not None and invitation.used_at is None
    assert "account.accept" not in await audit_actions(db)
    assert (await client.get("/account")).status_code != 200
    # The invitation still works for the invited address.
    assert (await client.get(link)).status_code == 200


async def test_a_coordinator_invited_sets_up_the_second_step_first(
    client: httpx.AsyncClient,
    browser_at_provider: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
) -> None:
    link = await _invite(db, "nina@hogeschool.example", ["coordinator"])
    start = await _button(client, link)
    url = await _through_provider(client, browser_at_provider, start, "nina@hogeschool.example")
    response = await callback(client, url)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/account/tweestaps")
