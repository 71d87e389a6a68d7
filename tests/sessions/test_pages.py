"""The pages around a live session, as a browser without scripts uses them: start, join, open."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from catalogue.seed import Content
from sessions import events as ev
from sessions.models import LiveSession
from sessions.pages import participant_cookie
from sessions.state import State
from tests.helpers import csrf_token, log_in, make_user

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
    patience: float | httpx.Timeout = 5.0,
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


# Starting a session -------------------------------------------------------------------------


async def test_the_start_form_is_prefilled_from_the_variant_and_the_goals_asked(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    content: Content,
) -> None:
    await facilitator(client, db)
    page = await client.get("/sessies/nieuw?variant=intervisie&goal=reflecteren&goal=vliegen")
    assert page.status_code == 200
    fields = form_fields(page.text, "/sessies/nieuw")
    intervisie = next(v for v in content.variants if v.slug == "intervisie")
    assert value_of(fields, "title") == "Intervisie"
    assert value_of(fields, "variant") == "intervisie"
    assert phase_names(fields) == [phase.name for phase in intervisie.phases]
    assert value_of(fields, "phase-1-minutes") == str(intervisie.phases[0].minutes)
    assert value_of(fields, "phase-8-tool") == "harvest"
    assert value_of(fields, "phase-1-instructions") == intervisie.phases[0].participants
    assert [v for k, v in fields if k == "goals"] == ["reflecteren"]  # unknown goals dropped
    assert 'src="/static/agenda-editor.js"' in page.text and "<script>" not in page.text
    assert 'style="' not in page.text
    missing = await client.get("/sessies/nieuw?variant=bestaat-niet")
    assert missing.status_code == 404


async def test_the_agenda_buttons_work_without_scripts_and_keep_what_was_typed(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], seeded: list[str]
) -> None:
    await facilitator(client, db)
    page = await client.get("/sessies/nieuw?variant=intervisie")
    fields = change(
        form_fields(page.text, "/sessies/nieuw"),
        title="Intervisie team Noord",
        **{"phase-2-name": "Terugblik op vorige keer", "phase-2-minutes": "12"},
    )
    fields.append(("goals", "kennis-delen"))

    moved = await post_form(client, "/sessies/nieuw", [*fields, ("op", "up-2")])
    assert moved.status_code == 200
    after = form_fields(moved.text, "/sessies/nieuw")
    assert phase_names(after)[:2] == ["Terugblik op vorige keer", "Opening"]
    assert value_of(after, "phase-1-minutes") == "12"
    assert value_of(after, "title") == "Intervisie team Noord"
    assert ("goals", "kennis-delen") in after
    assert re.search(r'value="up-1" id="phase-1-up"[^>]*autofocus', moved.text)  # focus follows

    down = await post_form(client, "/sessies/nieuw", [*after, ("op", "down-1")])
    after = form_fields(down.text, "/sessies/nieuw")
    assert phase_names(after)[:2] == ["Opening", "Terugblik op vorige keer"]

    removed = await post_form(client, "/sessies/nieuw", [*after, ("op", "remove-3")])
    after = form_fields(removed.text, "/sessies/nieuw")
    assert "Vragen inbrengen" not in phase_names(after) and len(phase_names(after)) == 7

    added = await post_form(client, "/sessies/nieuw", [*after, ("op", "add")])
    after = form_fields(added.text, "/sessies/nieuw")
    assert phase_names(after)[-1] == "" and len(phase_names(after)) == 8
    assert value_of(after, "phase-8-minutes") == "10"
    assert re.search(r'id="phase-8-name"[^>]*autofocus', added.text)

    # Moving the first phase up, or an unknown button, changes nothing.
    same = await post_form(client, "/sessies/nieuw", [*after, ("op", "up-1")])
    assert phase_names(form_fields(same.text, "/sessies/nieuw")) == phase_names(after)
    nonsense = await post_form(client, "/sessies/nieuw", [*after, ("op", "up-99")])
    assert nonsense.status_code == 200
    assert await sessions_in(db) == 0  # no button but "start" creates anything


async def test_mistakes_are_explained_next_to_the_fields_and_nothing_is_created(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], seeded: list[str]
) -> None:
    await facilitator(client, db)
    response = await start(
        client,
        title="   ",
        capacity="12",
        video_url="javascript:alert(1)",
        **{"phase-2-minutes": "0", "phase-3-name": "", "phase-8-tool": "board"},
    )
    assert response.status_code == 422
    text = text_of(response.text)
    for message in (
        "Geef de sessie een titel.",
        "Alleen een hybride sessie of een sessie op locatie heeft plaatsen in een zaal.",
        "Minuten: een heel getal van 1 tot en met 600.",
        "Geef deze fase een naam.",
        "De laatste fase moet een oogst zijn",
        "begint met https://",
    ):
        assert message in text, message
    fields = form_fields(response.text, "/sessies/nieuw")
    assert value_of(fields, "capacity") == "12"  # what was typed is kept
    assert value_of(fields, "phase-2-minutes") == "0"
    assert value_of(fields, "video_url") == "javascript:alert(1)"
    assert re.search(r'id="phase-2-minutes"[^>]*aria-invalid="true"', response.text)
    assert 'aria-describedby="error-phase-2-minutes"' in response.text
    assert 'href="#phase-2-minutes"' in response.text  # the summary links to the field

    too_long = await start(client, title="x" * 121)
    assert "De titel mag hoogstens 120 tekens hebben." in text_of(too_long.text)
    tampered = await start(client, theme="zwolle/bestaat-niet", region="zwolle")
    assert tampered.status_code == 422 and "bestaat-niet" in text_of(tampered.text)
    assert await sessions_in(db) == 0


async def test_a_started_session_shows_its_code_and_qr_code_and_is_listed(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    await facilitator(client, db)
    public_id, code = await new_session(
        client,
        title="Intervisie team Noord",
        modality="hybrid",
        capacity="20",
        breakout_size="3",
        theme="zwolle/collectief-werken",
        video_url="https://meet.jit.si/team-noord",
    )
    page = await client.get(f"/sessies/{public_id}")
    text = text_of(page.text)
    assert "Intervisie team Noord" in text and " ".join(code) in text  # spelled out for readers
    assert (
        f'<span class="code-group">{code[:3]}</span><span class="code-group">{code[3:]}</span>'
        in (page.text)
    )
    qr = re.search(r"<svg [^>]*>.*?</svg>", page.text, re.S)
    assert qr and 'role="img"' in qr.group(0) and "<title>" in qr.group(0)
    assert "style" not in qr.group(0)
    assert (
        f'href="/s/{public_id}"' in page.text and f'href="/sessies/{public_id}/scherm"' in page.text
    )
    screen = await client.get(f"/sessies/{public_id}/scherm")
    assert screen.status_code == 200 and "<svg" in screen.text and code[:3] in screen.text

    listing = await client.get("/sessies")
    assert 'href="/sessies"' in listing.text  # the menu has it for facilitators
    assert f'href="/sessies/{public_id}"' in listing.text and code in listing.text
    assert "open" in text_of(listing.text)

    state = await state_of(app, db, public_id)
    assert (state.modality, state.capacity, state.breakout_size) == ("hybrid", 20, 3)
    assert (state.region, state.theme, state.video_url) == (
        "zwolle",
        "collectief-werken",
        "https://meet.jit.si/team-noord",
    )
    assert [phase.tool for phase in state.phases][-1] == "harvest"
    assert state.people["u1"].role == "facilitator"

    await end(app, db, public_id)
    assert "afgelopen" in text_of((await client.get("/sessies")).text)


async def test_only_facilitators_and_coordinators_start_sessions(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    anonymous = await client.get("/sessies/nieuw?variant=intervisie")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=%2Fsessies%2Fnieuw")
    variant = await client.get("/catalogus/intervisie")
    assert "Log in als begeleider om een sessie te starten." in text_of(variant.text)
    assert 'href="/sessies"' not in variant.text

    await make_user(db, email="erik@example.org", roles=["educator"])
    await log_in(client, "erik@example.org")
    refused = await client.get("/sessies/nieuw")
    assert refused.status_code == 403 and "rol" in text_of(refused.text)
    token = await csrf_token(client, "/")
    posted = await client.post("/sessies/nieuw", data={"csrf_token": token, "title": "x"})
    assert posted.status_code == 403 and await sessions_in(db) == 0

    async with other_client(app) as fenna:
        await facilitator(fenna, db)
        page = await fenna.get("/catalogus/intervisie")
        assert 'href="/sessies/nieuw?variant=intervisie"' in page.text
        match = await fenna.get(
            "/welke-werkvorm",
            params=[
                ("goal.reflecteren", "2"),
                ("group_size", "6"),
                ("minutes", "100"),
                ("modality", "online"),
            ],
        )
        links = re.findall(r'href="(/sessies/nieuw\?[^"]+)"', match.text)
        assert links and all("goal=reflecteren" in unescape(link) for link in links)
        prefilled = await fenna.get(unescape(links[0]))
        assert ("goals", "reflecteren") in form_fields(prefilled.text, "/sessies/nieuw")
        public_id, _code = await new_session(fenna)
    assert (await client.get(f"/sessies/{public_id}")).status_code == 403  # not Erik's

    await make_user(db, email="carla@example.org", roles=["coordinator"], name="Carla")
    async with other_client(app) as carla:
        await log_in(carla, "carla@example.org")
        assert (await carla.get(f"/sessies/{public_id}")).status_code == 200
        assert (await carla.get("/sessies/bestaat-niet")).status_code == 404


# Joining ------------------------------------------------------------------------------------


async def test_joining_sets_the_cookie_and_opens_the_workspace(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    await facilitator(client, db)
    public_id, code = await new_session(client, title="Intervisie team Noord")
    async with other_client(app) as anna:
        first = await anna.get("/join")
        assert first.status_code == 200 and 'name="code"' in first.text
        typed = f" {code[:3].lower()} {code[3:]} "  # as read aloud: any case, spaces anywhere
        step = await anna.get("/join", params={"code": typed})
        assert step.status_code == 200 and "Intervisie team Noord" in text_of(step.text)
        assert 'name="location"' not in step.text  # online: no need to ask where
        joined = await join(anna, typed, "  Anna   de Boer ")
        assert joined.status_code == 303 and joined.headers["location"] == f"/s/{public_id}"
        cookies = joined.headers.get_list("set-cookie")
        cookie = next(c for c in cookies if c.startswith(f"{participant_cookie(public_id)}="))
        for part in ("HttpOnly", "SameSite=lax", "Path=/", f"Max-Age={90 * 24 * 3600}"):
            assert part.lower() in cookie.lower(), part
        assert "secure" not in cookie.lower()  # plain http here; https gets Secure
        assert joined.headers["cache-control"] == "no-store"

        workspace = await anna.get(f"/s/{public_id}")
        assert workspace.status_code == 200
        assert workspace.headers["cache-control"] == "no-store"
        token = anna.cookies[participant_cookie(public_id)]
        assert f'data-token="{token}"' in workspace.text
        assert f'data-websocket="/ws/sessions/{public_id}"' in workspace.text
        participant = re.search(r'data-participant="(p[^"]+)"', workspace.text)
        assert participant
        assert 'id="client-strings"' in workspace.text

        again = await anna.get("/join", params={"code": code})
        assert "Je doet al mee als Anna de Boer." in text_of(again.text)

    # The facilitator needs no cookie: the account is in the session.
    own = await client.get(f"/s/{public_id}")
    assert own.status_code == 200 and 'data-participant="u1"' in own.text

    secure_site = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=secure_site, base_url="https://testserver") as bram:
        over_https = await join(bram, code, "Bram")
        cookie = next(
            c
            for c in over_https.headers.get_list("set-cookie")
            if c.startswith(participant_cookie(public_id))
        )
        assert "secure" in cookie.lower()

    async with other_client(app) as stranger:
        away = await stranger.get(f"/s/{public_id}")
        assert away.status_code == 303 and away.headers["location"] == f"/join?code={code}"
        assert (await stranger.get("/s/bestaat-niet")).status_code == 404


async def test_a_hybrid_session_asks_where_you_are_and_a_full_room_offers_remote(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    await facilitator(client, db)
    public_id, code = await new_session(client, modality="hybrid", capacity="1")
    async with other_client(app) as anna, other_client(app) as bram:
        step = await anna.get("/join", params={"code": code})
        assert "in de zaal" in text_of(step.text) and "op afstand" in text_of(step.text)
        unsure = await join(anna, code, "Anna")
        assert unsure.status_code == 422
        assert "Kies of je in de zaal bent of op afstand meedoet." in text_of(unsure.text)
        assert (await join(anna, code, "Anna", "room")).status_code == 303

        full = await join(bram, code, "Bram", "room")
        assert full.status_code == 409
        assert "De zaal is vol: alle 1 plaatsen zijn bezet." in text_of(full.text)
        offer = form_fields(full.text, "/join", index=0)  # the offer comes first
        assert ("location", "remote") in offer and ("name", "Bram") in offer
        remote = await post_form(bram, "/join", offer)
        assert remote.status_code == 303 and remote.headers["location"] == f"/s/{public_id}"

    state = await state_of(app, db, public_id)
    assert sorted(
        (p.name, p.location) for p in state.people.values() if p.role == "participant"
    ) == [
        ("Anna", "room"),
        ("Bram", "remote"),
    ]


async def test_unknown_codes_ended_sessions_and_missing_names_are_explained(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    unknown = await client.get("/join", params={"code": "ZZZZZZ"})
    assert unknown.status_code == 404
    assert "Er is geen sessie met deze code." in text_of(unknown.text)
    assert 'value="ZZZZZZ"' in unknown.text  # kept, to correct it
    posted = await join(client, "ZZZZZZ", "Anna")
    assert posted.status_code == 404 and "Er is geen sessie met deze code." in text_of(posted.text)

    await facilitator(client, db)
    public_id, code = await new_session(client)
    async with other_client(app) as anna:
        nameless = await join(anna, code, "   ")
        assert nameless.status_code == 422
        assert "Typ een naam van 1 tot 60 tekens." in text_of(nameless.text)
        await end(app, db, public_id)
        ended = await join(anna, code, "Anna")
        assert ended.status_code == 409
        assert "Deze sessie is afgelopen." in text_of(ended.text)


async def test_a_participant_cookie_opens_only_its_own_session(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    await facilitator(client, db)
    first, first_code = await new_session(client, title="Eerste")
    second, second_code = await new_session(client, title="Tweede")
    async with other_client(app) as anna:
        await join(anna, first_code, "Anna")
        token = anna.cookies[participant_cookie(first)]
    async with other_client(app) as thief:
        mine = await thief.get(
            f"/s/{first}", headers={"cookie": f"{participant_cookie(first)}={token}"}
        )
        assert mine.status_code == 200  # the cookie works where it belongs
        elsewhere = await thief.get(
            f"/s/{second}", headers={"cookie": f"{participant_cookie(second)}={token}"}
        )
        assert elsewhere.status_code == 303  # another session's token
        assert elsewhere.headers["location"] == f"/join?code={second_code}"
        forged = await thief.get(
            f"/s/{first}", headers={"cookie": f"{participant_cookie(first)}={token}x"}
        )
        assert forged.status_code == 303


async def test_what_people_type_is_shown_as_text(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    await facilitator(client, db)
    evil = '<script>alert("x")</script>'
    public_id, code = await new_session(client, title=evil)
    pages = [await client.get(path) for path in ("/sessies", f"/sessies/{public_id}")]
    async with other_client(app) as anna:
        await join(anna, code, '<img src=x onerror="alert(1)">')
        pages.append(await anna.get(f"/s/{public_id}"))
        pages.append(await anna.get("/join", params={"code": code}))
    for page in pages:
        assert evil not in page.text and "<img src=x" not in page.text
    for page in (pages[0], pages[1], pages[3]):  # the workspace's own markup is its script's
        assert "&lt;script&gt;" in page.text
    assert "&lt;img src=x" in pages[-1].text  # "you already take part as <img …>", as text


async def test_the_api_join_url_leads_to_the_join_page(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], seeded: list[str]
) -> None:
    await facilitator(client, db)
    created = await client.post("/api/sessions", json={"title": "Via de API"})
    assert created.status_code == 201, created.text
    url = urlsplit(created.json()["join_url"])
    assert url.path == "/join" and parse_qs(url.query) == {"code": [created.json()["join_code"]]}
    page = await client.get(f"{url.path}?{url.query}")
    assert page.status_code == 200 and "Via de API" in text_of(page.text)
