"""The catalogue as a person uses it in Chromium: find, compare, edit; and accessibility."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import log_in


def test_find_a_practice_through_the_filters_and_read_its_script(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Catalogus").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogus van werkvormen")
    page.get_by_label("Doel").select_option("dilemmas-bespreken")
    page.get_by_label("Hoe je samenkomt").select_option("online")
    page.get_by_role("button", name="Filteren").click()
    expect(page).to_have_url("/catalogus?q=&goal=dilemmas-bespreken&modality=online&group_size=")
    page.get_by_role("link", name="Moreel beraad").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Moreel beraad")
    phases = page.locator(".timeline > li")
    expect(phases.last).to_contain_text("oogsten")
    start = page.get_by_role("button", name="Start een sessie met deze werkvorm")
    expect(start).to_be_disabled()


def test_which_practice_fits_explains_its_ranking(page: Page) -> None:
    page.goto("/welke-werkvorm")
    page.get_by_label("Reflecteren").select_option("2")
    page.get_by_label("Casus oplossen").select_option("1")
    page.get_by_label("Aantal deelnemers").fill("6")
    page.get_by_label("Beschikbare minuten").fill("100")
    page.get_by_label("online").check()
    page.get_by_label("professionals").check()
    page.get_by_role("button", name="Laat zien wat past").click()
    first = page.locator(".match-results > li").first
    expect(first.get_by_role("heading")).to_be_visible()
    top_three = page.locator(".match-results > li h3").all_inner_texts()[:3]
    assert "Intervisie" in top_three
    first.get_by_text("Waarom").click()
    expect(first).to_contain_text("dient het doel Reflecteren")
    page.get_by_text("werkvormen passen niet").click()
    expect(page.locator(".excluded")).to_contain_text("kleiner dan het minimum")


def test_on_a_phone_the_results_of_which_practice_fits_come_into_view(
    browser: Browser, live_server: str
) -> None:
    context = browser.new_context(
        base_url=live_server, locale="nl-NL", viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/welke-werkvorm")
    page.get_by_label("Reflecteren").select_option("2")
    page.get_by_role("button", name="Laat zien wat past").click()
    results = page.get_by_role("heading", name=re.compile(r"werkvormen passen$"))
    expect(results).to_be_in_viewport()
    expect(page.locator(".match-results > li").first.get_by_role("heading")).to_be_visible()
    context.close()


def test_which_practice_fits_without_a_goal_says_so_in_plain_words(page: Page) -> None:
    page.goto("/welke-werkvorm")
    page.get_by_role("button", name="Laat zien wat past").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Wat wil je bereiken?: Kies minstens één doel.")
    expect(summary).not_to_contain_text("goals")
    expect(summary).not_to_contain_text("kennis-delen")
    summary.get_by_role("link", name="Wat wil je bereiken?").click()
    expect(page.locator(".goal-grid select").first).to_be_focused()
    expect(page.locator(".goal-grid")).to_have_accessible_description(
        re.compile("Kies minstens één doel.")
    )


def test_a_coordinator_edits_a_variant_and_sees_the_history(page: Page) -> None:
    log_in(page, "coordinator@werkplaats.example")
    page.goto("/catalogus/fishbowl")
    page.get_by_role("link", name="Bewerken").click()
    page.get_by_label("Titel", exact=True).fill("Fishbowl in de wijk")
    page.get_by_label("Wat heb je veranderd?").fill("titel aangepast")
    page.get_by_role("button", name="Opslaan als nieuwe versie").click()
    expect(page.get_by_role("status")).to_contain_text("Opgeslagen als versie 2")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fishbowl in de wijk")
    page.get_by_role("link", name="Geschiedenis").click()
    expect(page.locator("tbody tr").first).to_contain_text("Carla Coördinator")
    expect(page.locator("tbody tr").first).to_contain_text("titel aangepast")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/login",
        "/catalogus",
        "/catalogus/intervisie",
        "/welke-werkvorm",
        "/welke-werkvorm?goal.reflecteren=2&group_size=6&minutes=100&modality=online",
        "/regios",
        "/regios/zwolle",
        "/bestaat-niet",
    ],
)
def test_pages_have_no_accessibility_violations(page: Page, path: str) -> None:
    page.goto(path)
    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    assert results.violations_count == 0, results.generate_report()


def test_a_coordinator_adds_a_theme_under_the_national_themes_it_belongs_to(page: Page) -> None:
    log_in(page, "coordinator@werkplaats.example")
    page.goto("/regios/zwolle")
    adding = page.locator('form[action="/regios/zwolle/themas"]')
    adding.get_by_label("Naam").fill("Wonen en zorg")
    adding.get_by_role("button", name="Toevoegen").click()
    # Nothing ticked: refused, with the message at the field and what was typed kept.
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Landelijke thema's: vink minstens één landelijk thema aan")
    choice = adding.get_by_role("group", name="Landelijke thema's")
    expect(choice).to_have_accessible_description(
        re.compile("vink minstens één landelijk thema aan")
    )
    expect(adding.get_by_label("Naam")).to_have_value("Wonen en zorg")
    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    assert results.violations_count == 0, results.generate_report()

    choice.get_by_label("Sociale wijkteams").check()
    adding.get_by_role("button", name="Toevoegen").click()
    theme = page.locator("ul.themes > li").filter(
        has=page.get_by_role("heading", name="Wonen en zorg")
    )
    expect(theme.locator("p.meta")).to_have_text("Landelijk thema: Sociale wijkteams")
    theme.get_by_role("link", name="Sociale wijkteams").click()
    expect(page).to_have_url(re.compile(r"/bibliotheek\?thema=sociale-wijkteams$"))
