"""The suggestion to try, in Chromium: apart from the ranking, never read as number 1.

This module has its own site (the live site is per module), whose database gets the sessions
that make a suggestion: intervisie well known from eight good sessions, the others unknown.
"""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

import sessions  # noqa: F401  (tables that outcomes refer to)
from catalogue.outcomes.models import OutcomeRating, OutcomeRow
from tests.browser.conftest import LiveSite

GOOD = (5.0,) * 8


@pytest.fixture(scope="module")
def known_intervisie(live_site: LiveSite) -> str:
    """Eight online sessions rated 5 by everyone of intervisie for reflecting, in three regions."""
    engine = create_engine(live_site.database_url)
    regions = ("zwolle", "gelderse-vallei", "twente")
    with Session(engine) as db:
        for i, mean in enumerate(GOOD):
            outcome = OutcomeRow(
                public_id=f"intervisie-{i}",
                variant_slug="intervisie",
                region_slug=regions[i % 3],
                goals=["reflecteren"],
                title=f"Sessie {i + 1}",
                held_on=dt.datetime(2026, 10, 1, tzinfo=dt.UTC) + dt.timedelta(days=i),
                summary="",
                insights="",
                actions="",
                products=[],
                captured={},
                consents={},
                sharing="group",
                modality="online",
                group_size=6,
            )
            db.add(outcome)
            db.flush()
            db.add(
                OutcomeRating(outcome_id=outcome.id, goal_slug="reflecteren", raters=5, mean=mean)
            )
        db.commit()
    engine.dispose()
    return live_site.url


def _overflow(page: Page) -> int:
    """How many pixels the page is wider than the window."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


@pytest.mark.parametrize("width", [1280, 360])
def test_the_suggestion_to_try_stands_apart_and_never_reads_as_number_one(
    browser: Browser, known_intervisie: str, width: int
) -> None:
    context = browser.new_context(
        base_url=known_intervisie, locale="nl-NL", viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/welke-werkvorm")
    page.get_by_label("Kennis delen").select_option("1")
    page.get_by_label("Reflecteren").select_option("2")
    page.get_by_label("Aantal deelnemers").fill("6")
    page.get_by_label("Beschikbare minuten").fill("100")
    page.get_by_label("online").check()
    page.get_by_role("button", name="Laat zien wat past").click()

    results = page.locator(".match-results > li")
    first, third = results.nth(0), results.nth(2)
    expect(first.get_by_role("heading")).to_have_text("Intervisie")
    expect(first).not_to_contain_text("Suggestie")
    expect(first.locator(".certainty")).to_have_text(
        "In 8 sessies in 3 regio's goed beoordeeld (gemiddeld 5,0 van 5)."
    )
    badge = page.get_by_role("link", name="Suggestie om te proberen")
    expect(badge).to_have_count(1)
    suggested = results.filter(has=badge)
    name = suggested.get_by_role("heading").inner_text()
    expect(suggested.locator(".certainty")).to_have_text(
        "Hier is voor deze doelen nog geen ervaring mee: "
        "de plek in de lijst komt alleen uit de beschrijving."
    )

    box = page.get_by_role("region", name="Iets nieuws proberen?")
    expect(box).to_contain_text(name)
    expect(box).to_contain_text("Het proberen waard: hierover weet de catalogus minder")
    expect(box.get_by_role("button", name="Start een sessie met deze werkvorm")).to_be_disabled()
    # Apart from the ranking: below the third result, and nothing like a score circle.
    third_box, suggestion_box = third.bounding_box(), box.bounding_box()
    assert third_box is not None and suggestion_box is not None
    assert suggestion_box["y"] >= third_box["y"] + third_box["height"]
    expect(box.locator(".score")).to_have_count(0)

    badge.click()
    expect(box).to_be_in_viewport()
    assert _overflow(page) <= 0
    axe = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    assert axe.violations_count == 0, axe.generate_report()
    context.close()
