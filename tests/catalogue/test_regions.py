"""The Werkplaatsen (regions) and their themes: who sees them, who changes them, and how."""

from __future__ import annotations

from html import unescape
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from catalogue.regions.models import RegionRow, ThemeRow
from catalogue.regions.schema import Region
from catalogue.seed import Content, seed
from tests.catalogue.test_library import _outcome
from tests.helpers import log_in, make_user, submit
from tests.sessions.pages import form_fields, other_client

pytestmark = pytest.mark.usefixtures("seeded")

ZWOLLE = "/regios/zwolle"
ZWOLLE_NAME = "Werkplaats Sociaal Domein Regio Zwolle"
NOT_ALLOWED = "Je account heeft niet de rol die hiervoor nodig is."


def region_json(region: Region) -> dict[str, Any]:
    return {
        "slug": region.slug,
        "name": region.name,
        "description": region.description,
        "themes": [
            {
                "slug": t.slug,
                "name": t.name,
                "description": t.description,
                "national_themes": list(t.national_themes),
            }
            for t in region.themes
        ],
    }


async def regions_api(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/api/regions")
    assert response.status_code == 200
    regions: list[dict[str, Any]] = response.json()["regions"]
    return regions


async def zwolle(client: httpx.AsyncClient) -> dict[str, Any]:
    return next(r for r in await regions_api(client) if r["slug"] == "zwolle")


def _form(html: str, action: str) -> str:
    """The HTML of the form that posts to `action`."""
    start = html.index(f'<form method="post" action="{action}"')
    return html[start : html.index("</form>", start)]


async def page_text(client: httpx.AsyncClient, path: str) -> str:
    response = await client.get(path)
    assert response.status_code == 200
    return unescape(response.text)


@pytest.fixture
async def coordinator(client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]) -> None:
    """The test client, logged in as a coordinator."""
    await make_user(db, email="carla@example.org", roles=["coordinator"], name="Carla")
    assert (await log_in(client, "carla@example.org")).status_code == 303


async def create_region(
    client: httpx.AsyncClient, name: str, description: str = ""
) -> httpx.Response:
    return await submit(client, "/regios", "/regios", {"name": name, "description": description})


# Reading


async def test_the_regions_page_lists_each_werkplaats_with_its_themes(
    client: httpx.AsyncClient, content: Content
) -> None:
    text = await page_text(client, "/regios")
    assert "Werkplaatsen en hun regionale agenda" in text
    assert len(content.regions) == 3
    for region in content.regions:
        assert f'href="/regios/{region.slug}"' in text
        assert region.name in text
        themes = ", ".join(theme.name for theme in region.themes)
        assert f"3 thema's: {themes}" in text
    alphabetical = sorted(region.name for region in content.regions)
    positions = [text.index(name) for name in alphabetical]
    assert positions == sorted(positions)  # listed by name


async def test_a_region_page_shows_its_themes_and_no_forms_to_visitors(
    client: httpx.AsyncClient, content: Content
) -> None:
    region = next(r for r in content.regions if r.slug == "zwolle")
    text = await page_text(client, ZWOLLE)
    assert f"<h1>{ZWOLLE_NAME}</h1>" in text
    assert "Thema's op de regionale agenda" in text
    for theme in region.themes:
        assert f"<h3>{theme.name}</h3>" in text
        assert theme.description in text
    assert 'method="post"' not in text
    assert "Thema toevoegen" not in text and "Dit thema wijzigen" not in text
    # Each theme names its national theme(s), a link to their outcomes in every region.
    assert (
        'Landelijke thema\'s: <a href="/bibliotheek?thema=eenzaamheid-en-sociale-basis">'
        "Eenzaamheid en sociale basis</a>, "
        '<a href="/bibliotheek?thema=samenwerken-met-bewoners">'
        "Samenwerking met bewoners en informele zorg</a>"
    ) in text
    assert (
        'Landelijk thema: <a href="/bibliotheek?thema=ervaringskennis">Ervaringsdeskundigheid</a>'
    ) in text


async def test_the_api_lists_the_national_themes(
    client: httpx.AsyncClient, content: Content
) -> None:
    response = await client.get("/api/regions")
    assert response.json()["national_themes"] == [
        {
            "slug": t.slug,
            "name": t.name,
            "name_en": t.name_en,
            "description": t.description,
            "description_en": t.description_en,
        }
        for t in content.national_themes
    ]


async def test_an_unknown_region_is_a_page_not_found_in_dutch(client: httpx.AsyncClient) -> None:
    response = await client.get("/regios/atlantis")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.text
    assert "Deze pagina bestaat niet (meer)." in response.text


async def test_the_api_lists_the_regions_and_their_themes_by_name(
    client: httpx.AsyncClient, content: Content
) -> None:
    expected = sorted((region_json(r) for r in content.regions), key=lambda r: r["name"])
    assert await regions_api(client) == expected


# A coordinator keeps them up to date


async def test_a_coordinator_creates_a_region_at_an_address_made_from_its_name(
    client: httpx.AsyncClient, coordinator: None
) -> None:
    response = await create_region(
        client, "  Werkplaats   Noord & Oost ", "Een nieuwe Werkplaats in het noorden."
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/regios/werkplaats-noord-oost"
    text = await page_text(client, "/regios/werkplaats-noord-oost")
    assert "<h1>Werkplaats Noord & Oost</h1>" in unescape(text)
    assert "Een nieuwe Werkplaats in het noorden." in text
    assert "Nog geen thema's." in text
    listing = await page_text(client, "/regios")
    assert "Werkplaats Noord & Oost" in listing and "0 thema's" in listing
    slugs = [r["slug"] for r in await regions_api(client)]
    assert "werkplaats-noord-oost" in slugs and len(slugs) == 4


async def test_a_coordinator_adds_changes_and_removes_a_theme(
    client: httpx.AsyncClient, coordinator: None
) -> None:
    added = await submit(
        client,
        ZWOLLE,
        f"{ZWOLLE}/themas",
        {
            "name": "Wonen & zorg",
            "description": "Langer thuis wonen met steun uit de wijk.",
            # Ticked in another order than the list's: kept in the list's order.
            "national": ["samenwerken-met-bewoners", "eenzaamheid-en-sociale-basis"],
        },
    )
    assert added.status_code == 303
    assert added.headers["location"] == ZWOLLE
    text = await page_text(client, ZWOLLE)
    assert "<h3>Wonen & zorg</h3>" in text
    assert "Langer thuis wonen met steun uit de wijk." in text
    themes = (await zwolle(client))["themes"]
    assert [t["slug"] for t in themes][-1] == "wonen-zorg"  # added at the end
    assert themes[-1]["national_themes"] == [
        "eenzaamheid-en-sociale-basis",
        "samenwerken-met-bewoners",
    ]
    assert "4 thema's" in await page_text(client, "/regios")

    changed = await submit(
        client,
        ZWOLLE,
        f"{ZWOLLE}/themas/wonen-zorg",
        {
            "name": "Wonen en zorg",
            "description": "Thuis wonen, ook met een zorgvraag.",
            "national": "sociale-wijkteams",
        },
    )
    assert changed.status_code == 303
    text = await page_text(client, ZWOLLE)
    assert "<h3>Wonen en zorg</h3>" in text and "<h3>Wonen & zorg</h3>" not in text
    assert "Thuis wonen, ook met een zorgvraag." in text
    assert (await zwolle(client))["themes"][-1]["national_themes"] == ["sociale-wijkteams"]

    removed = await submit(client, ZWOLLE, f"{ZWOLLE}/themas/wonen-zorg/verwijderen", {})
    assert removed.status_code == 303
    text = await page_text(client, ZWOLLE)
    assert "Wonen en zorg" not in text
    assert [t["slug"] for t in (await zwolle(client))["themes"]] == [
        "sociale-basis-versterken",
        "collectief-werken",
        "ervaringsdeskundigheid",
    ]


async def test_a_coordinator_changes_a_region_which_keeps_its_address(
    client: httpx.AsyncClient, coordinator: None
) -> None:
    response = await submit(
        client,
        ZWOLLE,
        ZWOLLE,
        {"name": "Werkplaats Zwolle en omstreken", "description": "Nieuwe beschrijving."},
    )
    assert response.status_code == 303
    assert response.headers["location"] == ZWOLLE
    text = await page_text(client, ZWOLLE)
    assert "<h1>Werkplaats Zwolle en omstreken</h1>" in text
    assert "<p>Nieuwe beschrijving.</p>" in text
    assert ZWOLLE_NAME not in await page_text(client, "/regios")
    region = await zwolle(client)
    assert (region["name"], region["description"]) == (
        "Werkplaats Zwolle en omstreken",
        "Nieuwe beschrijving.",
    )
    assert len(region["themes"]) == 3


async def test_a_coordinator_sees_the_forms(client: httpx.AsyncClient, coordinator: None) -> None:
    assert 'action="/regios"' in await page_text(client, "/regios")
    text = await page_text(client, ZWOLLE)
    assert f'action="{ZWOLLE}/themas"' in text
    assert f'action="{ZWOLLE}/themas/collectief-werken/verwijderen"' in text
    assert "Naam of beschrijving van deze Werkplaats wijzigen" in text


async def test_the_theme_forms_offer_the_national_themes_to_tick(
    client: httpx.AsyncClient, coordinator: None, content: Content
) -> None:
    text = await page_text(client, ZWOLLE)
    new = form_fields(text, f"{ZWOLLE}/themas")
    assert ("national", "") not in new and not [v for n, v in new if n == "national"]
    adding = _form(text, f"{ZWOLLE}/themas")
    assert '<fieldset id="new-theme-national"' in adding
    assert "<legend>Landelijke thema's</legend>" in adding
    assert "Vink er minstens één aan." in adding
    for national in content.national_themes:  # each with its Dutch name, none ticked
        assert (
            f'<label class="check"><input type="checkbox" name="national"'
            f' value="{national.slug}"> {national.name}</label>'
        ) in adding
    # A theme's own form has its national themes ticked.
    changing = form_fields(text, f"{ZWOLLE}/themas/collectief-werken")
    assert [v for n, v in changing if n == "national"] == [
        "eenzaamheid-en-sociale-basis",
        "sociale-wijkteams",
    ]
    assert "<legend>Landelijke thema's</legend>" in _form(
        text, f"{ZWOLLE}/themas/collectief-werken"
    )


# Refusals


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param("   ", "is leeg; vul hier iets in", id="empty"),
        pytest.param("W" * 300, "is te lang: hoogstens 200 tekens", id="300-characters"),
        pytest.param("&& !!", "heeft minstens één letter of cijfer nodig", id="no-letters"),
        pytest.param("Werkplaats Noord", "er is al een regio met deze naam", id="duplicate"),
        pytest.param(
            "werkplaats  NOORD!", "er is al een regio met deze naam", id="duplicate-other-case"
        ),
    ],
)
async def test_a_wrong_new_region_is_refused_and_keeps_what_was_typed(
    client: httpx.AsyncClient, coordinator: None, name: str, message: str
) -> None:
    assert (await create_region(client, "Werkplaats Noord")).status_code == 303
    before = await regions_api(client)
    response = await create_region(client, name, "Wat ik al had getypt.")
    assert response.status_code == 422
    text = unescape(response.text)
    assert "Verbeter dit alsjeblieft" in text
    assert message in text
    assert f'value="{name}"' in text
    assert ">Wat ik al had getypt.</textarea>" in text
    assert await regions_api(client) == before


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param("", "is leeg; vul hier iets in", id="empty"),
        pytest.param("T" * 300, "is te lang: hoogstens 200 tekens", id="300-characters"),
        pytest.param("Collectief werken", "deze regio heeft dit thema al", id="duplicate"),
        pytest.param("collectief  WERKEN!", "deze regio heeft dit thema al", id="duplicate-case"),
    ],
)
async def test_a_wrong_new_theme_is_refused_and_keeps_what_was_typed(
    client: httpx.AsyncClient, coordinator: None, name: str, message: str
) -> None:
    before = await zwolle(client)
    response = await submit(
        client,
        ZWOLLE,
        f"{ZWOLLE}/themas",
        {"name": name, "description": "Mijn toelichting.", "national": "ervaringskennis"},
    )
    assert response.status_code == 422
    text = unescape(response.text)
    assert f'<p class="field-error" id="new-theme-name-error">{message}</p>' in text
    assert '<a href="#new-theme-name">Naam</a>: ' + message in text  # the summary links to it
    assert f'id="new-theme-name" name="name" required maxlength="200" value="{name}"' in text
    assert ">Mijn toelichting.</textarea>" in text
    assert [v for n, v in form_fields(text, f"{ZWOLLE}/themas") if n == "national"] == [
        "ervaringskennis"
    ]
    assert await zwolle(client) == before


@pytest.mark.parametrize(
    ("national", "message"),
    [
        pytest.param([], "vink minstens één landelijk thema aan", id="none"),
        pytest.param([""], "vink minstens één landelijk thema aan", id="empty"),
        pytest.param(
            ["ervaringskennis", "armoede"],
            "kies alleen landelijke thema's uit de lijst",
            id="unknown",
        ),
    ],
)
async def test_a_new_theme_needs_a_national_theme_and_keeps_what_was_typed(
    client: httpx.AsyncClient, coordinator: None, national: list[str], message: str
) -> None:
    before = await zwolle(client)
    response = await submit(
        client,
        ZWOLLE,
        f"{ZWOLLE}/themas",
        {"name": "Wonen en zorg", "description": "Mijn toelichting.", "national": national},
    )
    assert response.status_code == 422
    text = unescape(response.text)
    adding = _form(text, f"{ZWOLLE}/themas")
    # The message is at the field, which it describes, and in the summary, linked to it.
    assert f'<p class="field-error" id="new-theme-national-error">{message}</p>' in adding
    assert (
        '<fieldset id="new-theme-national"'
        ' aria-describedby="new-theme-national-hint new-theme-national-error">'
    ) in adding
    assert f'<a href="#new-theme-national">Landelijke thema\'s</a>: {message}' in text
    assert 'value="Wonen en zorg"' in adding and ">Mijn toelichting.</textarea>" in adding
    ticked = [v for n, v in form_fields(text, f"{ZWOLLE}/themas") if n == "national"]
    assert ticked == [slug for slug in national if slug == "ervaringskennis"]
    assert await zwolle(client) == before
    assert "Wonen en zorg" not in await page_text(client, ZWOLLE)


async def test_a_theme_keeps_at_least_one_national_theme(
    client: httpx.AsyncClient, coordinator: None
) -> None:
    before = await zwolle(client)
    action = f"{ZWOLLE}/themas/collectief-werken"
    response = await submit(
        client, ZWOLLE, action, {"name": "Samen werken", "description": "Getypt."}
    )
    assert response.status_code == 422
    text = unescape(response.text)
    changing = _form(text, action)
    assert (
        '<p class="field-error" id="t-collectief-werken-national-error">'
        "vink minstens één landelijk thema aan</p>"
    ) in changing
    assert 'value="Samen werken"' in changing and ">Getypt.</textarea>" in changing
    assert [v for n, v in form_fields(text, action) if n == "national"] == []  # as sent
    assert await zwolle(client) == before

    # A name refused: the national themes stay as ticked, not as saved.
    response = await submit(
        client, ZWOLLE, action, {"name": "", "description": "", "national": "onderwijs-en-praktijk"}
    )
    assert response.status_code == 422
    assert [v for n, v in form_fields(response.text, action) if n == "national"] == [
        "onderwijs-en-praktijk"
    ]
    assert await zwolle(client) == before


async def test_a_region_cannot_be_renamed_to_nothing(
    client: httpx.AsyncClient, coordinator: None
) -> None:
    before = await zwolle(client)
    response = await submit(
        client, ZWOLLE, ZWOLLE, {"name": " ", "description": "Nieuwe tekst die blijft staan."}
    )
    assert response.status_code == 422
    text = unescape(response.text)
    assert "is leeg; vul hier iets in" in text
    assert "<details open>" in text  # the region form stays open, with what was typed
    assert ">Nieuwe tekst die blijft staan.</textarea>" in text
    assert await zwolle(client) == before


async def test_a_theme_cannot_be_renamed_to_a_name_that_is_too_long(
    client: httpx.AsyncClient, coordinator: None
) -> None:
    before = await zwolle(client)
    response = await submit(
        client,
        ZWOLLE,
        f"{ZWOLLE}/themas/collectief-werken",
        {"name": "C" * 300, "description": "Getypte beschrijving.", "national": "ervaringskennis"},
    )
    assert response.status_code == 422
    text = unescape(response.text)
    assert "is te lang: hoogstens 200 tekens" in text
    field = 'id="t-collectief-werken-name" name="name" required maxlength="200"'
    assert f'{field} value="{"C" * 300}"' in text
    assert ">Getypte beschrijving.</textarea>" in text
    assert await zwolle(client) == before


async def test_an_unknown_theme_cannot_be_changed(
    client: httpx.AsyncClient, coordinator: None
) -> None:
    response = await submit(
        client,
        ZWOLLE,
        f"{ZWOLLE}/themas/bestaat-niet",
        {"name": "X", "description": "", "national": "ervaringskennis"},
    )
    assert response.status_code == 404
    assert "Deze pagina bestaat niet (meer)." in response.text


async def test_a_new_region_with_the_name_of_a_seeded_one_is_refused(
    client: httpx.AsyncClient, coordinator: None
) -> None:
    before = await regions_api(client)
    response = await create_region(client, ZWOLLE_NAME)
    assert response.status_code == 422
    assert "er is al een regio met deze naam" in unescape(response.text)
    assert await regions_api(client) == before


async def test_a_theme_with_the_name_of_a_seeded_one_is_refused(
    client: httpx.AsyncClient, coordinator: None
) -> None:
    region = "/regios/gelderse-vallei"
    response = await submit(
        client,
        region,
        f"{region}/themas",
        {"name": "(Kinder)armoede", "description": "", "national": "ervaringskennis"},
    )
    assert response.status_code == 422
    assert "deze regio heeft dit thema al" in unescape(response.text)
    assert (await page_text(client, region)).count("<h3>(Kinder)armoede</h3>") == 1


async def test_a_region_cannot_be_renamed_to_the_name_of_another(
    client: httpx.AsyncClient, coordinator: None
) -> None:
    before = await regions_api(client)
    other = "Werkplaats Sociaal Domein Gelderse Vallei"
    response = await submit(client, ZWOLLE, ZWOLLE, {"name": other, "description": "x"})
    assert response.status_code == 422
    assert "er is al een regio met deze naam" in unescape(response.text)
    assert await regions_api(client) == before


async def test_a_theme_cannot_be_renamed_to_the_name_of_another(
    client: httpx.AsyncClient, coordinator: None
) -> None:
    before = await zwolle(client)
    response = await submit(
        client,
        ZWOLLE,
        f"{ZWOLLE}/themas/collectief-werken",
        {"name": "Ervaringsdeskundigheid", "description": "x", "national": "ervaringskennis"},
    )
    assert response.status_code == 422
    assert "deze regio heeft dit thema al" in unescape(response.text)
    assert await zwolle(client) == before


async def test_a_theme_description_of_3000_characters_can_be_saved(
    client: httpx.AsyncClient, coordinator: None
) -> None:
    description = "Een lange toelichting. " * 130  # about 3000 characters, under the 5000 allowed
    assert 2000 < len(description.strip()) < 5000
    response = await submit(
        client,
        ZWOLLE,
        f"{ZWOLLE}/themas",
        {"name": "Lang thema", "description": description, "national": "ervaringskennis"},
    )
    assert response.status_code == 303
    themes = (await zwolle(client))["themes"]
    assert themes[-1]["description"] == description.strip()


# Roles


POSTS = [
    pytest.param("/regios", {"name": "Werkplaats Zuid", "description": ""}, id="create-region"),
    pytest.param(ZWOLLE, {"name": "Zwolle", "description": ""}, id="change-region"),
    pytest.param(
        f"{ZWOLLE}/themas",
        {"name": "Nieuw", "description": "", "national": "ervaringskennis"},
        id="add-theme",
    ),
    pytest.param(
        f"{ZWOLLE}/themas/collectief-werken",
        {"name": "Anders", "description": "", "national": "ervaringskennis"},
        id="change-theme",
    ),
    pytest.param(f"{ZWOLLE}/themas/collectief-werken/verwijderen", {}, id="remove-theme"),
]


async def test_a_facilitator_sees_no_forms(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db, email="fenna@example.org", roles=["facilitator", "educator"])
    await log_in(client, "fenna@example.org")
    listing = await page_text(client, "/regios")
    assert "Nieuwe Werkplaats" not in listing and 'action="/regios"' not in listing
    text = await page_text(client, ZWOLLE)
    assert f'action="{ZWOLLE}' not in text
    assert "Thema toevoegen" not in text and "Dit thema wijzigen" not in text


@pytest.mark.parametrize(("action", "data"), POSTS)
async def test_a_facilitator_may_not_change_regions(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    action: str,
    data: dict[str, str],
) -> None:
    await make_user(db, email="fenna@example.org", roles=["facilitator", "educator"])
    await log_in(client, "fenna@example.org")
    before = await regions_api(client)
    response = await submit(client, ZWOLLE, action, data)
    assert response.status_code == 403
    assert NOT_ALLOWED in response.text
    assert await regions_api(client) == before


@pytest.mark.parametrize(("action", "data"), POSTS)
async def test_anonymous_visitors_may_not_change_regions(
    client: httpx.AsyncClient, action: str, data: dict[str, str]
) -> None:
    before = await regions_api(client)
    without_token = await client.post(action, data=data)
    assert without_token.status_code == 403
    assert "Dit formulier is verlopen of kwam niet van deze website." in without_token.text
    with_token = await submit(client, "/login", action, data)  # a token from a public form
    assert with_token.status_code == 303
    assert with_token.headers["location"].startswith("/login?next=")
    assert await regions_api(client) == before


# Seeding


async def test_seeding_again_keeps_what_coordinators_changed(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    content: Content,
    coordinator: None,
) -> None:
    await submit(client, ZWOLLE, ZWOLLE, {"name": "Werkplaats Zwolle", "description": "Nieuw."})
    await submit(
        client,
        ZWOLLE,
        f"{ZWOLLE}/themas/collectief-werken",
        {"name": "Samen werken", "description": "Bundelen.", "national": "onderwijs-en-praktijk"},
    )
    await submit(
        client,
        ZWOLLE,
        f"{ZWOLLE}/themas",
        {"name": "Jeugd", "description": "", "national": "sociale-wijkteams"},
    )
    changed = await regions_api(client)
    themes = next(r for r in changed if r["slug"] == "zwolle")["themes"]
    assert [
        t["national_themes"] for t in themes if t["slug"] in ("collectief-werken", "jeugd")
    ] == [
        ["onderwijs-en-praktijk"],
        ["sociale-wijkteams"],
    ]

    async with db() as session:
        report = await seed(session, content)
    assert not [line for line in report if line.startswith("region ")]
    assert await regions_api(client) == changed
    text = await page_text(client, ZWOLLE)
    assert "<h1>Werkplaats Zwolle</h1>" in text
    assert "<h3>Samen werken</h3>" in text and "<h3>Jeugd</h3>" in text
    assert "<h3>Collectief werken</h3>" not in text


# National themes chosen in the browser reach the library


async def _library(client: httpx.AsyncClient, national: str) -> dict[str, list[str]]:
    """Title -> national themes of each outcome the API lists under a national theme."""
    response = await client.get("/api/outcomes", params={"thema": national})
    assert response.status_code == 200
    return {hit["title"]: hit["national_themes"] for hit in response.json()["outcomes"]}


async def test_an_outcome_under_a_theme_added_in_the_browser_is_found_under_its_national_theme(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], coordinator: None
) -> None:
    added = await submit(
        client,
        ZWOLLE,
        f"{ZWOLLE}/themas",
        {"name": "Wonen en zorg", "description": "", "national": "sociale-wijkteams"},
    )
    assert added.status_code == 303
    await _outcome(db, "Uitkomst 1", "open", theme="wonen-en-zorg")
    assert await _library(client, "sociale-wijkteams") == {"Uitkomst 1": ["sociale-wijkteams"]}
    page = await client.get("/bibliotheek", params={"thema": "sociale-wijkteams"})
    assert "Uitkomst 1" in page.text
    assert "(landelijk thema: Sociale wijkteams)" in page.text


async def test_a_theme_made_in_the_browser_before_national_themes_could_be_chosen(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    coordinator: None,
) -> None:
    """Such a theme has none: it keeps working, the page says so, and a coordinator chooses."""
    async with db() as session:
        region = await session.scalar(select(RegionRow).where(RegionRow.slug == "zwolle"))
        assert region is not None
        region.themes.append(
            ThemeRow(slug="jeugd", name="Jeugd", description="Jong en oud.", position=3)
        )
        await session.commit()
    await _outcome(db, "Uitkomst 1", "open", theme="jeugd")
    assert await _library(client, "sociale-wijkteams") == {}
    found = await client.get("/api/outcomes", params={"thema": "jeugd"})  # by its own slug
    assert [(h["title"], h["national_themes"]) for h in found.json()["outcomes"]] == [
        ("Uitkomst 1", [])
    ]

    text = await page_text(client, ZWOLLE)
    theme = text[text.index("<h3>Jeugd</h3>") :]
    assert theme.index("Geen landelijk thema: kies er een of meer bij") < theme.index(
        "<details open>"
    )
    assert [v for n, v in form_fields(text, f"{ZWOLLE}/themas/jeugd") if n == "national"] == []
    async with other_client(app) as anyone:
        visitor = await page_text(anyone, ZWOLLE)
    assert '<p class="meta">Geen landelijk thema</p>' in visitor

    chosen = await submit(
        client,
        ZWOLLE,
        f"{ZWOLLE}/themas/jeugd",
        {
            "name": "Jeugd",
            "description": "Jong en oud.",
            "national": ["sociale-wijkteams", "onderwijs-en-praktijk"],
        },
    )
    assert chosen.status_code == 303
    assert await _library(client, "sociale-wijkteams") == {
        "Uitkomst 1": ["sociale-wijkteams", "onderwijs-en-praktijk"]
    }
    assert await _library(client, "onderwijs-en-praktijk") == {
        "Uitkomst 1": ["sociale-wijkteams", "onderwijs-en-praktijk"]
    }
    text = await page_text(client, ZWOLLE)
    assert "Geen landelijk thema" not in text
    assert (
        'Landelijke thema\'s: <a href="/bibliotheek?thema=sociale-wijkteams">Sociale wijkteams</a>'
    ) in text
