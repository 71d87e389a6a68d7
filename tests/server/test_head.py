"""A HEAD is a GET without the body: it never changes anything, and every method that can change
something needs this site's CSRF token (issue 14, "HEAD is handled as POST").

Starlette answers HEAD with a route's GET handler; a handler that took "not GET" for "POST" let a
HEAD with a form body (and no token: the CSRF check let HEAD through) create a session, join
one, change a participant's consent or overwrite a composed outcome.
"""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.routing import Route

from catalogue.outcomes.models import OutcomeRow
from sessions.tokens import participant_cookie
from tests.sessions.harvest import GOALS, answer, joined_session, stored
from tests.sessions.pages import (
    change,
    facilitator,
    form_fields,
    new_session,
    other_client,
    post_form,
    sessions_in,
    start,
    state_of,
    text_of,
)

FORM = {"content-type": "application/x-www-form-urlencoded"}


async def _sent(
    client: httpx.AsyncClient, method: str, url: str, fields: list[tuple[str, str]]
) -> httpx.Response:
    """A form body sent with `method`, without a CSRF token."""
    fields = [(k, v) for k, v in fields if k != "csrf_token"]
    return await client.request(method, url, content=urlencode(fields), headers=FORM)


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 403, response.status_code
    assert "Dit formulier is verlopen" in response.text


async def _consents(db: async_sessionmaker[AsyncSession]) -> list[tuple[str, str, str]]:
    return sorted((r.participant, r.consent, r.takeaway) for r in await stored(db))


async def _outcomes(db: async_sessionmaker[AsyncSession]) -> list[tuple[str, str, str]]:
    async with db() as session:
        rows = await session.scalars(select(OutcomeRow))
        return sorted((r.public_id, r.summary, r.sharing) for r in rows)


async def test_head_and_a_tokenless_post_to_the_start_form_create_no_session(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], seeded: list[str]
) -> None:
    await facilitator(client, db)
    page = await client.get("/sessies/nieuw?variant=intervisie")
    fields = [*change(form_fields(page.text, "/sessies/nieuw"), title="Kop"), ("op", "create")]
    head = await _sent(client, "HEAD", "/sessies/nieuw", fields)
    assert head.status_code == 200 and head.content == b""
    _refused(await _sent(client, "POST", "/sessies/nieuw", fields))
    assert await sessions_in(db) == 0
    assert (await start(client, title="Kop")).status_code == 303  # the form itself works
    assert await sessions_in(db) == 1


async def test_head_and_a_tokenless_post_to_join_add_no_participant(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    await facilitator(client, db)
    public_id, code = await new_session(client, query=GOALS, title="Intervisie Noord")
    before = set((await state_of(app, db, public_id)).people)
    async with other_client(app) as anna:
        fields = [("code", code), ("name", "Anna de Boer")]
        head = await _sent(anna, "HEAD", "/join", fields)
        assert head.status_code == 200
        assert participant_cookie(public_id) not in head.headers.get("set-cookie", "")
        _refused(await _sent(anna, "POST", "/join", fields))
    assert set((await state_of(app, db, public_id)).people) == before


async def test_head_and_a_tokenless_post_leave_the_consent_as_it_was(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    async with other_client(app) as anna:
        public_id = await joined_session(client, db, app, anna)
        saved = await answer(anna, public_id, consent="no", takeaway="Eerst")
        assert saved.status_code == 200, text_of(saved.text)
        before = await _consents(db)
        assert [c for _, c, _ in before] == ["no"]
        fields = [("rating-reflecteren", "5"), ("consent", "open"), ("takeaway", "Later")]
        head = await _sent(anna, "HEAD", f"/s/{public_id}/oogst", fields)
        assert head.status_code == 200 and head.content == b""
        _refused(await _sent(anna, "POST", f"/s/{public_id}/oogst", fields))
        assert await _consents(db) == before


async def test_head_and_a_tokenless_post_do_not_overwrite_the_outcome(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    async with other_client(app) as anna:
        public_id = await joined_session(client, db, app, anna)
    url = f"/sessies/{public_id}/uitkomst"
    fields = form_fields((await client.get(url)).text, url)
    first = change(fields, summary="Eerste versie")
    saved = await post_form(client, url, [*first, ("op", "save")])
    assert saved.status_code == 303, text_of(saved.text)
    before = await _outcomes(db)
    assert [s for _, s, _ in before] == ["Eerste versie"]
    other = [*change(fields, summary="Overschreven"), ("op", "save")]
    head = await _sent(client, "HEAD", url, other)
    assert head.status_code == 200 and head.content == b""
    _refused(await _sent(client, "POST", url, other))
    assert await _outcomes(db) == before


async def test_every_method_but_get_head_and_options_needs_the_token(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], seeded: list[str]
) -> None:
    await facilitator(client, db)
    for method in ("POST", "PUT", "PATCH", "DELETE", "PROPFIND", "FOO"):
        response = await _sent(client, method, "/sessies/nieuw", [("title", "x")])
        _refused(response)
    assert await sessions_in(db) == 0
    assert (await client.request("OPTIONS", "/sessies/nieuw")).status_code != 403


def test_no_route_serves_reads_and_writes_with_one_handler(app: Starlette) -> None:
    """Reading (GET, and so HEAD) and writing are separate routes, so no handler can take a HEAD
    for a POST: a route that accepts GET accepts no method that changes anything."""
    mixed = [
        route.path
        for route in app.routes
        if isinstance(route, Route)
        and route.methods is not None
        and "GET" in route.methods
        and route.methods - {"GET", "HEAD", "OPTIONS"}
    ]
    assert mixed == []
