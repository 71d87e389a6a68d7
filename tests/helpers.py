"""What tests do the way a browser does: fetch a form, then post it with its CSRF token."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from html import unescape

import httpx
import pyotp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import two_factor
from server.accounts import create_user
from server.models import User

PASSWORD = "correct horse battery"
SECRET_KEY = "test-secret-key-not-for-production"  # the `settings` fixture's (tests/conftest.py)

_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')

FormData = Mapping[str, str | Sequence[str]]


async def csrf_token(client: httpx.AsyncClient, page: str = "/login") -> str:
    """The token a page puts in its forms (and the cookie it sets with it)."""
    response = await client.get(page)
    match = _CSRF_FIELD.search(response.text)
    assert match, f"no CSRF field on {page}"
    return match.group(1)


async def submit(
    client: httpx.AsyncClient, page: str, action: str, data: FormData
) -> httpx.Response:
    """Open `page`, then submit its form to `action` with `data`, like a browser."""
    token = await csrf_token(client, page)
    return await client.post(action, data={**data, "csrf_token": token})


async def make_user(
    db: async_sessionmaker[AsyncSession],
    email: str = "fenna@example.org",
    roles: Sequence[str] = ("facilitator",),
    name: str = "Fenna de Vries",
    *,
    second_factor: bool | None = None,
) -> User:
    """An account; a coordinator's with a second factor (as they must have) unless told not."""
    if second_factor is None:
        second_factor = "coordinator" in roles
    async with db() as session:
        user = await create_user(session, email=email, name=name, password=PASSWORD, roles=roles)
        if second_factor:
            secret = two_factor.new_secret()
            await two_factor.enable(session, user, SECRET_KEY, secret, totp_code(secret))
            _SECRETS[user.email] = secret
            await session.refresh(user)  # the action wrote the secret with an UPDATE
        return user


_SECRET = re.compile(r'<code id="secret"[^>]*>([A-Z2-7 ]+)</code>')
_ENROLMENT = re.compile(r'name="enrolment" value="([^"]+)"')
# The authenticator app of each account the helpers set up (by email), and the last time step
# each secret gave a code for: the server takes no code twice, so the next login uses the next.
_SECRETS: dict[str, str] = {}
_LAST_STEP: dict[str, int] = {}


def secret_on_page(html: str) -> str:
    """The TOTP secret the enrolment page shows as text (in groups of four)."""
    match = _SECRET.search(html)
    assert match, "no secret on the two-step verification page"
    return match.group(1).replace(" ", "")


def totp_code(secret: str) -> str:
    """A code an authenticator app shows for `secret` that the server has not seen yet."""
    while True:
        now = int(time.time()) // 30
        # Never the step before now: the server accepts one step either side of its own now, and
        # a request that reaches it in the next step would find that code too old (seen under
        # load). The step after now is fine: the server's window covers it until then.
        step = max(now, _LAST_STEP.get(secret, now - 1) + 1)
        if step <= now + 1:
            _LAST_STEP[secret] = step
            return pyotp.TOTP(secret).at(step * 30)
        time.sleep(1)


def wrong_code(secret: str) -> str:
    """Six digits that are not a code of `secret` now, nor a minute either side: a mistyped code.

    A fixed guess such as 123456 is a right code about three times in a million (the server
    takes three time steps' codes), which over the suite's wrong codes made a red run about
    once in 30,000."""
    now = int(time.time()) // 30
    right = {pyotp.TOTP(secret).at(step * 30) for step in range(now - 2, now + 4)}
    return next(code for n in range(123456, 124000) if (code := f"{n:06}") not in right)


async def turn_on_two_factor(client: httpx.AsyncClient, email: str) -> httpx.Response:
    """Set up two-step verification on the account page, as a person with an app does."""
    page = await client.get("/account/tweestaps")
    secret = secret_on_page(page.text)
    enrolment = _ENROLMENT.search(page.text)
    token = _CSRF_FIELD.search(page.text)
    assert enrolment and token
    response = await client.post(
        "/account/tweestaps",
        data={
            "enrolment": unescape(enrolment.group(1)),
            "code": totp_code(secret),
            "csrf_token": token.group(1),
        },
    )
    assert response.status_code == 200, response.text
    _SECRETS[email.strip().lower()] = secret
    return response


async def log_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    """Log in as a browser does; a coordinator's second step too (setting it up the first time).

    Returns the response that completes the login (a 303), or the refusal."""
    response = await submit(client, "/login", "/login", {"email": email, "password": password})
    location = response.headers.get("location", "")
    if location.startswith("/account/tweestaps"):
        await turn_on_two_factor(client, email)
    elif location.startswith("/login/code"):
        secret = _SECRETS[email.strip().lower()]
        data = {"code": totp_code(secret), "next": _next_of(location)}
        response = await submit(client, location, "/login/code", data)
    return response


def _next_of(location: str) -> str:
    return str(httpx.URL(location).params.get("next", "/"))
