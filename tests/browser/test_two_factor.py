"""Two-step verification in Chromium: setting it up and the login's second step, by keyboard,
accessible (axe), with codes an authenticator app would show (pyotp, from the key on the page)."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from server.demo import DEMO_PASSWORD
from tests.browser.conftest import log_in
from tests.helpers import totp_code, wrong_code

AXE_RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
EDUCATOR = "educator@werkplaats.example"
COORDINATOR = "coordinator@werkplaats.example"


def _accessible(page: Page) -> None:
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, results.generate_report()


def _tab_to(page: Page, element_id: str) -> None:
    """Move the focus with Tab alone until it is on the element (as a keyboard user does)."""
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_an_account_sets_up_two_steps_and_logs_in_with_a_code_by_keyboard(page: Page) -> None:
    log_in(page, EDUCATOR)  # no second factor yet: the password alone
    page.goto("/account")
    page.get_by_role("link", name="Tweestapsverificatie aanzetten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tweestapsverificatie")
    expect(
        page.get_by_role("img", name="QR-code om te scannen met je authenticator-app")
    ).to_be_visible()
    _accessible(page)
    secret = page.locator("#secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)

    _tab_to(page, "code")
    page.keyboard.type(wrong_code(secret))
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Deze code klopt niet")
    expect(page.get_by_label("Code (6 cijfers)")).to_have_attribute("aria-invalid", "true")
    _accessible(page)
    assert page.locator("#secret").inner_text().replace(" ", "") == secret
    _tab_to(page, "code")
    page.keyboard.press("Control+A")
    page.keyboard.type(totp_code(secret))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Je herstelcodes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    _accessible(page)

    page.get_by_role("button", name="Uitloggen").click()
    page.goto("/login")
    _tab_to(page, "email")
    page.keyboard.type(EDUCATOR)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen: stap 2")
    expect(page.get_by_label("Code")).to_be_focused()  # straight to the code
    _accessible(page)
    page.keyboard.type(wrong_code(secret))
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Deze code klopt niet")
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)
    _accessible(page)
    page.get_by_label("Code").fill("")
    page.get_by_label("Code").focus()
    page.keyboard.type(totp_code(secret))
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def test_a_coordinator_is_sent_to_set_it_up_before_any_coordinator_page(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(COORDINATOR)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(r"/account/tweestaps\?next=%2F$"))
    expect(page.locator("#two-factor-needed")).to_contain_text("Je bent coördinator")
    _accessible(page)
    page.goto("/beheer/wissen")
    expect(page).to_have_url(re.compile(r"/account/tweestaps\?next=%2Fbeheer%2Fwissen$"))
    secret = page.locator("#secret").inner_text().replace(" ", "")
    page.get_by_label("Code (6 cijfers)").fill(totp_code(secret))
    page.get_by_role("button", name="Tweestapsverificatie aanzetten").click()
    page.get_by_role("link", name="Verder").click()
    expect(page).to_have_url(re.compile(r"/beheer/wissen$"))
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Tweestapsverificatie")
