"""The harvest phase in Chromium: the workspace points to the harvest page, where a participant
answers; the page passes axe (WCAG 2.1 AA)."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import NewContext
from tests.browser.test_workspace import (
    AXE_RULES,
    PHONE,
    SCREENSHOTS,
    Session,
    connected,
    console,
)


def test_the_harvest_phase_leads_to_the_harvest_page(
    live_server: str,
    new_context: NewContext,
) -> None:
    session = Session(live_server, new_context, goals=["reflecteren", "casus-oplossen"])
    anna = session.join("Anna")
    facilitator = session.facilitator
    console(facilitator).get_by_role("button", name="Start de eerste fase").click()
    jump = console(facilitator).get_by_label("Naar fase")
    last = jump.locator("option").last
    expect(last).to_contain_text("Oogst")
    jump.select_option(value=last.get_attribute("value"))
    facilitator.get_by_role("button", name="Start deze fase").click()

    link = anna.get_by_role("link", name="Vul de oogst in")
    expect(link).to_be_visible()
    expect(anna.locator(".harvest-intro")).to_contain_text("Kijk terug op de sessie")
    expect(facilitator.get_by_role("link", name="Vul de oogst in")).to_be_visible()
    link.click()
    expect(anna).to_have_url(f"{session.live_server}/s/{session.id}/oogst")
    expect(anna.get_by_role("heading", level=1)).to_contain_text("Oogst: ")
    violations = Axe().run(anna, options=AXE_RULES)
    assert violations.violations_count == 0, violations.generate_report()

    anna.get_by_role("group", name="Reflecteren").get_by_label("4").check()
    anna.get_by_role("group", name="Casus oplossen").get_by_label("5 (helemaal wel)").check()
    anna.get_by_label("Wat neem je mee?").fill("Eerst luisteren, dan pas vragen")
    consent = anna.get_by_role("group", name="Mag wat jij hebt ingebracht gedeeld worden")
    consent.get_by_label("Binnen de regio (Werkplaats)").check()
    anna.get_by_role("button", name="Mijn antwoorden opslaan").click()
    expect(anna.get_by_role("status")).to_contain_text("Bedankt! Je antwoorden zijn opgeslagen.")
    expect(consent.get_by_label("Binnen de regio (Werkplaats)")).to_be_checked()
    expect(anna.get_by_role("group", name="Reflecteren").get_by_label("4")).to_be_checked()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    anna.set_viewport_size(PHONE)
    anna.screenshot(path=str(SCREENSHOTS / "harvest-page-360-full.png"), full_page=True)
    violations = Axe().run(anna, options=AXE_RULES)
    assert violations.violations_count == 0, violations.generate_report()

    anna.get_by_role("link", name="Terug naar de sessie").click()
    connected(anna)
    expect(anna.get_by_role("link", name="Vul de oogst in")).to_be_visible()
