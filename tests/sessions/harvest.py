"""Helpers for the harvest tests: a joined session, its stored answers, answering the page."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from server.models import AuditEntry
from sessions import events as ev
from sessions.models import HarvestResponse, LiveSession
from sessions.tokens import participant_cookie, read_token
from tests.sessions.pages import (
    change,
    facilitator,
    form_fields,
    join,
    new_session,
    post_form,
    text_of,
)

GOALS = "?variant=intervisie&goal=reflecteren&goal=casus-oplossen"
SAVED = "Bedankt! Je antwoorden zijn opgeslagen."


# Helpers ------------------------------------------------------------------------------------


async def session_row(db: async_sessionmaker[AsyncSession], public_id: str) -> LiveSession:
    async with db() as session:
        row = await session.scalar(select(LiveSession).where(LiveSession.public_id == public_id))
    assert row is not None
    return row


async def submit_events(
    app: Starlette,
    db: async_sessionmaker[AsyncSession],
    public_id: str,
    *bodies: ev.EventBody,
) -> None:
    row = await session_row(db, public_id)
    await app.state.session_engine.submit(row.id, None, None, lambda s, now: list(bodies))


async def begin(app: Starlette, db: async_sessionmaker[AsyncSession], public_id: str) -> None:
    """The facilitator starts the first phase: the session has run."""
    await submit_events(app, db, public_id, ev.PhaseStarted(0, None))


async def stored(db: async_sessionmaker[AsyncSession]) -> list[HarvestResponse]:
    async with db() as session:
        return list(await session.scalars(select(HarvestResponse)))


async def audit(db: async_sessionmaker[AsyncSession]) -> list[AuditEntry]:
    async with db() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def participant_of(app: Starlette, client: httpx.AsyncClient, public_id: str) -> str:
    token = client.cookies[participant_cookie(public_id)]
    participant = read_token(app.state.settings.secret_key, public_id, token)
    assert participant is not None
    return participant


async def joined_session(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    app: Starlette,
    anna: httpx.AsyncClient,
    started: bool = True,
) -> str:
    """A session with two goals that Anna joined (and that has started); its public id."""
    await facilitator(client, db)
    public_id, code = await new_session(client, query=GOALS, title="Intervisie Noord")
    assert (await join(anna, code, "Anna de Boer")).status_code == 303
    if started:
        await begin(app, db, public_id)
    return public_id


async def answer(client: httpx.AsyncClient, public_id: str, **values: str) -> httpx.Response:
    """Open the harvest page, change some fields (or add them), and save."""
    page = await client.get(f"/s/{public_id}/oogst")
    assert page.status_code == 200, text_of(page.text)
    fields = change(form_fields(page.text, f"/s/{public_id}/oogst"), **values)
    extra = [(k, v) for k, v in values.items() if k not in dict(fields)]
    return await post_form(client, f"/s/{public_id}/oogst", [*fields, *extra])


def radio_choices(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="radio" name="{re.escape(name)}" value="([^"]*)"', html)
