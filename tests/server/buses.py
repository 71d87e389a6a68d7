"""Helpers for the bus tests: the database the bus uses, waiting for what a subscription gets."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from server.bus import Bus, Subscription
from server.settings import normalize_database_url
from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
# The bus needs no migrated database; the driver part checks that it is stripped for asyncpg.
DATABASE_URL = normalize_database_url(POSTGRES_URL) if POSTGRES_URL else "sqlite:///unused"
# How long a test waits for what a subscription gets (every wait ends when it comes): PostgreSQL
# delivers a NOTIFY at the commit, which on a machine busy with other tests' databases can
# take seconds, and 5 s left that too little room.
WAIT = 30.0

MakeBus = Callable[..., Awaitable[Bus]]


async def next_item(subscription: Subscription) -> str | None:
    return await asyncio.wait_for(anext(subscription), WAIT)


async def items(subscription: Subscription, count: int) -> list[str | None]:
    return [await next_item(subscription) for _ in range(count)]
