"""Helpers for the tests of the pages around a live session: forms as a browser fills them,
starting, joining and ending sessions."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlencode

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from sessions import events as ev
from sessions.models import LiveSession
from sessions.state import State
from sessions.tokens import participant_cookie
from tests.helpers import csrf_token, log_in, make_user
from tests.sessions.live import PATIENT

Fields = list[tuple[str, str]]


def text_of(html: str) -> str:
    """The visible text of a page, roughly: tags removed, entities decoded, spaces folded."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


class _FormReader(HTMLParser):
    """The fields a browser would send for the form posting to `action` (without buttons)."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.forms: list[Fields] = []
        self.fields: Fields = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action and a.get("method") == "post"
            if self.inside:
                self.forms.append([])
                self.fields = self.forms[-1]
        if not self.inside:
            return
        if tag == "input" and "name" in a and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields.append((a["name"], ""))
        elif tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, value = self.fields.pop()
            self.fields.append((name, value + data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            first = self._options[0][0] if self._options else ""
            self.fields.append((self._select, chosen[0] if chosen else first))
            self._select = None


def form_fields(html: str, action: str, index: int = -1) -> Fields:
    """The fields of the last (or the `index`th) form on the page that posts to `action`."""
    reader = _FormReader(action)
    reader.feed(html)
    return reader.forms[index]


def change(fields: Fields, **values: str) -> Fields:
    """The fields with some values replaced."""
    return [(name, values.get(name, value)) for name, value in fields]


def value_of(fields: Fields, name: str) -> str:
    return next(value for key, value in fields if key == name)


def phase_names(fields: Fields) -> list[str]:
    return [value for key, value in fields if re.fullmatch(r"phase-\d+-name", key)]


async def facilitator(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    email: str = "fenna@example.org",
) -> None:
    await make_user(db, email=email, roles=["facilitator"])
    await log_in(client, email)


async def sessions_in(db: async_sessionmaker[AsyncSession]) -> int:
    async with db() as session:
        return int(await session.scalar(select(func.count()).select_from(LiveSession)) or 0)


async def start(
    client: httpx.AsyncClient, query: str = "?variant=intervisie", **values: str
) -> httpx.Response:
    """Open the start form, change some fields, and press "start"."""
    page = await client.get(f"/sessies/nieuw{query}")
    fields = change(form_fields(page.text, "/sessies/nieuw"), **values)
    extra = [(key, value) for key, value in values.items() if key not in dict(fields)]
    return await post_form(client, "/sessies/nieuw", [*fields, *extra, ("op", "create")])


async def new_session(client: httpx.AsyncClient, **values: str) -> tuple[str, str]:
    """A session started through the form; its public id and join code."""
    response = await start(client, **values)
    assert response.status_code == 303, text_of(response.text)
    public_id = response.headers["location"].removeprefix("/sessies/")
    page = await client.get(f"/sessies/{public_id}")
    link = re.search(r'href="(http://testserver/join\?code=([A-Z0-9]{6}))"', page.text)
    assert link, page.text
    return public_id, link.group(2)


async def state_of(app: Starlette, db: async_sessionmaker[AsyncSession], public_id: str) -> State:
    async with db() as session:
        row = await session.scalar(select(LiveSession).where(LiveSession.public_id == public_id))
    assert row is not None
    state: State = await app.state.session_engine.state(row.id)
    return state


async def end(app: Starlette, db: async_sessionmaker[AsyncSession], public_id: str) -> None:
    async with db() as session:
        row = await session.scalar(select(LiveSession).where(LiveSession.public_id == public_id))
    assert row is not None
    await app.state.session_engine.submit(row.id, None, None, lambda s, now: [ev.SessionEnded()])


async def post_form(client: httpx.AsyncClient, action: str, fields: Fields) -> httpx.Response:
    """Post fields as a browser does: in order, names repeated where a form repeats them."""
    return await client.post(
        action,
        content=urlencode(fields),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


async def answer_harvest(
    base_url: str,
    public_id: str,
    token: str,
    *,
    takeaway: str,
    consent: str,
    ratings: dict[str, str],
    patience: float | httpx.Timeout = PATIENT,
) -> None:
    """A participant answers the harvest on its page (`/s/{id}/oogst`), with the cookie their
    link gives them: `ratings` as form fields ("rating-<goal>": "1".."5"), a takeaway and a
    consent level."""
    async with httpx.AsyncClient(
        base_url=base_url, cookies={participant_cookie(public_id): token}, timeout=patience
    ) as browser:
        page = await browser.get(f"/s/{public_id}/oogst")
        assert page.status_code == 200, text_of(page.text)
        fields = change(form_fields(page.text, f"/s/{public_id}/oogst"), **ratings)
        fields = [(k, v) for k, v in fields if k not in ("takeaway", "consent")]
        fields += [("takeaway", takeaway), ("consent", consent)]
        answered = await post_form(browser, f"/s/{public_id}/oogst", fields)
        assert answered.status_code == 200, text_of(answered.text)


def other_client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def join(
    client: httpx.AsyncClient, code: str, name: str, location: str | None = None
) -> httpx.Response:
    data = {"code": code, "name": name, "csrf_token": await csrf_token(client)}
    if location is not None:
        data["location"] = location
    return await client.post("/join", data=data)
