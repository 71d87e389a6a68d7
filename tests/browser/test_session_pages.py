"""Starting and joining a session in Chromium: the agenda editor by keyboard, code, QR, join."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import log_in

AXE_RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}


def _accessible(page: Page) -> None:
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, results.generate_report()


def test_a_facilitator_starts_a_session_and_a_participant_joins_with_the_code(
    browser: Browser, live_server: str
) -> None:
    facilitator = browser.new_context(base_url=live_server, locale="nl-NL")
    page = facilitator.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "facilitator@werkplaats.example")
    page.goto("/catalogus/intervisie")
    page.get_by_role("link", name="Start een sessie met deze werkvorm").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Start een sessie")
    expect(page.locator("[data-agenda-editor][data-enhanced]")).to_be_attached()
    _accessible(page)
    page.get_by_label("Titel", exact=True).fill("Intervisie in de browser")
    page.evaluate("window.stillTheSamePage = true")

    # By keyboard: the "up" button of phase 2, then Alt + arrow down from inside phase 1.
    page.get_by_role("button", name="Omhoog Fase 2").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#phase-1-name")).to_have_value("Terugblik")
    expect(page.locator("#phase-2-name")).to_have_value("Opening")
    expect(page.locator("#phase-1-up")).to_be_focused()  # the button moved, focus with it
    expect(page.locator("[data-agenda-status]")).to_have_text("Terugblik is nu fase 1 van 8.")
    page.locator("#phase-2-minutes").focus()
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator("#phase-3-name")).to_have_value("Opening")
    expect(page.locator("#phase-3-minutes")).to_be_focused()
    expect(page.locator("#phase-2-name")).to_have_value("Vragen inbrengen")
    assert page.evaluate("window.stillTheSamePage") is True  # moved in place, no round trip

    page.get_by_role("button", name="Start de sessie").click()
    expect(page).to_have_url(re.compile(r"/sessies/[\w-]+$"))
    public_id = page.url.rsplit("/", 1)[1]
    expect(page.get_by_role("heading", level=1)).to_have_text("Intervisie in de browser")
    expect(page.get_by_role("img", name=re.compile("QR-code"))).to_be_visible()
    code = (page.locator(".join-code .visually-hidden").text_content() or "").replace(" ", "")
    assert re.fullmatch(r"[A-Z2-9]{6}", code), code
    _accessible(page)
    page.get_by_role("link", name="Toon op scherm").click()
    expect(page.locator(".join-code-large")).to_be_visible()
    _accessible(page)

    participant = browser.new_context(base_url=live_server, locale="nl-NL")
    anna = participant.new_page()
    anna.set_default_timeout(10_000)
    anna.goto("/join")
    _accessible(anna)
    anna.get_by_label("Code").fill(f"{code[:3].lower()} {code[3:]}")
    anna.get_by_label("Je naam").fill("Anna")
    anna.get_by_role("button", name="Meedoen").click()
    expect(anna).to_have_url(f"{live_server}/s/{public_id}")
    expect(anna).to_have_title(re.compile("Intervisie in de browser"))
    # The join link leads straight to the name.
    anna.goto(f"/join?code={code}")
    expect(anna.get_by_role("heading", level=1)).to_contain_text("Intervisie in de browser")
    _accessible(anna)

    page.goto(f"/sessies/{public_id}")
    page.get_by_role("link", name="Open de sessie").click()
    expect(page).to_have_url(f"{live_server}/s/{public_id}")
    participant.close()
    facilitator.close()
