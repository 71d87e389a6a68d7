"""Starting a live session through its pages, as a browser without scripts does."""

from __future__ import annotations

import re
from html import unescape

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from catalogue.seed import Content
from catalogue.variants.actions import save_edit
from catalogue.variants.queries import current_variant
from tests.helpers import csrf_token, log_in, make_user
from tests.sessions.pages import (
    change,
    end,
    facilitator,
    form_fields,
    join,
    new_session,
    other_client,
    phase_names,
    post_form,
    sessions_in,
    start,
    state_of,
    text_of,
    value_of,
)

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


async def test_a_practice_started_from_its_page_comes_with_its_strongest_goals_ticked(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], seeded: list[str]
) -> None:
    """Without goals the harvest asks for no ratings: the session teaches the catalogue
    nothing and a group's trends stay empty. So a practice's page starts with the goals the
    practice serves most strongly ticked, and the form says so; goals asked for win."""
    await facilitator(client, db)
    page = await client.get("/sessies/nieuw?variant=intervisie")  # the practice page's button
    fields = form_fields(page.text, "/sessies/nieuw")
    assert sorted(v for k, v in fields if k == "goals") == ["casus-oplossen", "reflecteren"]
    assert "waar deze werkvorm het sterkst in is" in text_of(page.text)
    asked = await client.get("/sessies/nieuw?variant=intervisie&goal=kennis-delen")
    assert [v for k, v in form_fields(asked.text, "/sessies/nieuw") if k == "goals"] == [
        "kennis-delen"
    ]
    assert "waar deze werkvorm het sterkst in is" not in text_of(asked.text)
    blank = await client.get("/sessies/nieuw")  # no practice: nothing to go by
    assert [v for k, v in form_fields(blank.text, "/sessies/nieuw") if k == "goals"] == []


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


async def test_a_script_as_long_as_the_catalogue_allows_starts_as_it_is(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    """A coordinator may write a phase's name, purpose and participants' text as long as
    docs/catalogue-format.md allows (300, 2000, 4000 characters); the start form takes that
    script as it is, instead of refusing texts the facilitator never typed."""
    coordinator = await make_user(db, email="co@example.org", roles=["coordinator"])
    async with db() as session:
        variant = await current_variant(session, "intervisie")
        assert variant is not None
        document = variant.document()
        first = document["phases"][0]
        first["name"] = "Inbreng " + "n" * (300 - 8)
        first["purpose"] = "p" * 2000
        first["participants"] = "d" * 4000
        await save_edit(session, "intervisie", document, coordinator, "lang", 1)
    await facilitator(client, db)
    page = await client.get("/sessies/nieuw?variant=intervisie")
    assert value_of(form_fields(page.text, "/sessies/nieuw"), "phase-1-purpose") == "p" * 2000
    response = await start(client)
    assert response.status_code == 303, text_of(response.text)
    public_id = response.headers["location"].removeprefix("/sessies/")
    state = await state_of(app, db, public_id)
    assert state.phases[0].name == first["name"]
    assert state.phases[0].instructions == "d" * 4000


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
    assert "gepland" in text_of(listing.text) and "nog niet gestart" in text_of(listing.text)

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


async def test_the_session_page_counts_who_joined_as_its_maximum_does_without_the_facilitator(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    # Before, a session nobody had joined said "1 persoon doet mee" (its facilitator), right
    # above "Hoogste aantal deelnemers (jijzelf niet meegeteld)".
    await facilitator(client, db)
    public_id, code = await new_session(client, title="Nog leeg")
    assert "Aanwezig 0 mensen doen mee" in text_of((await client.get(f"/sessies/{public_id}")).text)
    async with other_client(app) as anna:
        assert (await join(anna, code, "Anna")).status_code == 303
    assert "Aanwezig 1 persoon doet mee" in text_of(
        (await client.get(f"/sessies/{public_id}")).text
    )


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
