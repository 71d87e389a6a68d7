"""The catalogue in the browser: list and filters, a variant's script, "Welke werkvorm past?"."""

from __future__ import annotations

import re
from html import unescape

import httpx

from catalogue.seed import Content


def text_of(html: str) -> str:
    """The visible text of a page, roughly: tags removed, entities decoded, spaces folded."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


async def test_the_home_page_links_to_the_catalogue_and_matching(
    client: httpx.AsyncClient, seeded: list[str]
) -> None:
    page = (await client.get("/")).text
    assert 'href="/catalogus"' in page and 'href="/welke-werkvorm"' in page
    assert 'href="/regios"' in page
    assert 'href="/bibliotheek"' in page  # the library is open to everyone
    assert 'href="/modules"' not in page  # modules are for educators


async def test_the_catalogue_lists_every_variant(
    client: httpx.AsyncClient, seeded: list[str], content: Content
) -> None:
    response = await client.get("/catalogus")
    assert response.status_code == 200
    text = text_of(response.text)
    assert f"{len(content.variants)} werkvormen" in text
    for variant in content.variants:
        assert f'href="/catalogus/{variant.slug}"' in response.text


async def test_the_catalogue_filters_by_goal_modality_size_and_text(
    client: httpx.AsyncClient, seeded: list[str]
) -> None:
    page = await client.get(
        "/catalogus", params={"goal": "dilemmas-bespreken", "modality": "online", "group_size": 6}
    )
    assert 'href="/catalogus/moreel-beraad"' in page.text
    assert 'href="/catalogus/world-cafe"' not in page.text  # does not serve dilemmas strongly
    assert "toon alles" in page.text
    search = await client.get("/catalogus", params={"q": "casuistiek"})
    assert 'href="/catalogus/casuistiekbespreking"' in search.text  # found without the diaeresis
    nothing = await client.get("/catalogus", params={"q": "xyzzy"})
    assert "0 werkvormen" in text_of(nothing.text)


async def test_wrong_filters_are_explained_and_the_rest_still_works(
    client: httpx.AsyncClient, seeded: list[str], content: Content
) -> None:
    page = await client.get("/catalogus", params={"goal": "vliegen", "group_size": "veel"})
    assert page.status_code == 422
    text = text_of(page.text)
    assert "onbekend doel 'vliegen'" in text
    assert "moet een heel getal zijn van 1 tot en met 1000, niet veel" in text
    assert f"{len(content.variants)} werkvormen" in text


async def test_a_variant_page_shows_everything_and_the_script_as_a_timeline(
    client: httpx.AsyncClient, seeded: list[str], content: Content
) -> None:
    intervisie = next(v for v in content.variants if v.slug == "intervisie")
    page = await client.get("/catalogus/intervisie")
    assert page.status_code == 200
    text = text_of(page.text)
    for expected in (
        intervisie.title,
        intervisie.title_en,
        f"{intervisie.group_min}–{intervisie.group_max} mensen",
        "Wat het laat werken",
        intervisie.effective_elements[0],
        "Voorbereiding",
        "Online en hybride",
        "Voor wie",
        "Licentie: CC BY-SA 4.0",
        "Draaiboek",
    ):
        assert expected in text, expected
    positions = [text.index(phase.name + " ") for phase in intervisie.phases]
    assert positions == sorted(positions), "phases are shown in script order"
    assert f"min {intervisie.phases[0].minutes}" in text  # the second phase starts then
    assert text.rfind("oogsten") > positions[-1]  # the last phase is a harvest
    assert '<button type="button" disabled' in page.text
    assert "Start een sessie met deze werkvorm" in text


async def test_an_unknown_variant_is_a_404_page(
    client: httpx.AsyncClient, seeded: list[str]
) -> None:
    page = await client.get("/catalogus/bestaat-niet")
    assert page.status_code == 404 and "Pagina niet gevonden" in page.text


async def test_matching_in_the_browser_ranks_and_explains(
    client: httpx.AsyncClient, seeded: list[str]
) -> None:
    empty = await client.get("/welke-werkvorm")
    assert empty.status_code == 200 and "Wat wil je bereiken?" in empty.text
    page = await client.get(
        "/welke-werkvorm",
        params=[
            ("goal.reflecteren", "2"),
            ("goal.casus-oplossen", "1"),
            ("group_size", "6"),
            ("minutes", "100"),
            ("modality", "online"),
            ("roles", "professionals"),
        ],
    )
    assert page.status_code == 200
    text = text_of(page.text)
    results = re.findall(r'<h3><a href="/catalogus/([a-z0-9-]+)">', page.text)
    assert "intervisie" in results[:3]
    assert "dient het doel Reflecteren sterk (3 van 3)" in text
    assert "werkvormen passen niet" in text
    assert "een groep van 6 is kleiner dan het minimum van 12" in text  # world café
    assert "Start een sessie met deze werkvorm" in text
    assert "nog geen sessies" in text
    # Every result says how sure the catalogue is; without sessions, nothing is suggested apart.
    assert text.count("Hier is voor deze doelen nog geen ervaring mee") == len(results)
    assert "Iets nieuws proberen?" not in text


async def test_a_wrong_matching_form_names_each_field(
    client: httpx.AsyncClient, seeded: list[str]
) -> None:
    page = await client.get(
        "/welke-werkvorm",
        params={"group_size": "0", "minutes": "lang", "modality": "zoom", "roles": "koning"},
    )
    assert page.status_code == 422
    text = text_of(page.text)
    assert "Verbeter dit alsjeblieft" in text
    assert "Wat wil je bereiken? : Kies minstens één doel." in text  # a link, then its error
    assert '<a href="#goal-kennis-delen">Wat wil je bereiken?</a>' in page.text
    assert "kennis-delen" not in text  # the form names goals by their labels, not slugs
    assert "0 is te klein" in text
    assert "moet een heel getal zijn van 1 tot en met 1440, niet 'lang'" in text
    assert "Hoe kom je samen? : Kies hoe je samenkomt." in text
    assert "Wie doen er mee? : Kies alleen rollen uit de lijst." in text
    assert 'value="0"' in page.text  # what was typed stays in the form


async def test_pages_follow_the_chosen_language(
    client: httpx.AsyncClient, seeded: list[str], content: Content
) -> None:
    await client.get("/taal", params={"lang": "en"})
    page = await client.get("/catalogus/intervisie")
    intervisie = next(v for v in content.variants if v.slug == "intervisie")
    assert f"<h1>{intervisie.title_en}" in page.text
    assert "Script" in page.text and "What makes it work" in page.text
    assert "These levels are not those of the Dutch recognition of interventions" in page.text
