"""What tests do the way a browser does: fetch a form, then post it with its CSRF token."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.accounts import create_user
from server.models import User

PASSWORD = "correct horse battery"

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
) -> User:
    async with db() as session:
        return await create_user(session, email=email, name=name, password=PASSWORD, roles=roles)


async def log_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await submit(client, "/login", "/login", {"email": email, "password": password})
