"""Joining a live session through its pages, as a browser without scripts does."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from sessions.tokens import participant_cookie
from tests.sessions.pages import (
    end,
    facilitator,
    form_fields,
    join,
    new_session,
    other_client,
    post_form,
    state_of,
    text_of,
)

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
        # Code and name typed together (the home page): where you are is the next question.
        asked = await join(anna, code, "Anna")
        assert asked.status_code == 200 and "Waar ben je?" in text_of(asked.text)
        assert 'value="Anna"' in asked.text and 'role="alert"' not in asked.text
        fields = dict(form_fields(asked.text, "/join"))
        assert fields["step"] == "details"
        unsure = await post_form(anna, "/join", [*fields.items()])
        assert unsure.status_code == 422
        assert "Kies of je in de zaal bent of op afstand meedoet." in text_of(unsure.text)
        assert (await join(anna, code, "Anna", "room")).status_code == 303

        full = await join(bram, code, "Bram", "room")
        assert full.status_code == 409
        assert "De zaal is vol: er is 1 plaats en die is bezet." in text_of(full.text)
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
        # A latecomer with the link is told at once, not only after typing a name.
        opened = await anna.get("/join", params={"code": code})
        assert "Deze sessie is afgelopen." in text_of(opened.text)
        assert 'name="name"' not in opened.text


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
