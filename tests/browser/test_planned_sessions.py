"""Planning a session in Chromium: the start form's time fields, their errors, and the
invitation page, accessible (axe) and without sideways scrolling at 360 px."""

from __future__ import annotations

import datetime as dt
import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import log_in
from tests.browser.test_password_reset import _mails, mailing_server
from tests.mail_server import MailServer

__all__ = ["mailing_server"]  # the fixture, used by name

AXE_RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
PHONE = {"width": 360, "height": 740}


def _accessible_and_narrow(page: Page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert wide is False, "the page scrolls sideways at 360 px"
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, results.generate_report()


def test_a_facilitator_plans_a_session_on_a_phone_and_invites_a_colleague(
    browser: Browser, live_server: str
) -> None:
    context = browser.new_context(base_url=live_server, locale="nl-NL", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, "facilitator@werkplaats.example")
        page.goto("/sessies/nieuw?variant=intervisie")
        day = (dt.date.today() + dt.timedelta(days=5)).isoformat()
        page.get_by_label("Titel", exact=True).fill("Intervisie gepland")
        page.get_by_label("Datum", exact=True).fill(day)
        page.get_by_label("Begintijd").fill("16:00")
        page.get_by_label("Eindtijd").fill("15:00")
        _accessible_and_narrow(page)
        page.get_by_role("button", name="Start de sessie").last.click()
        expect(page.locator("#error-planned_end")).to_have_text(
            "Het einde moet na het begin liggen."
        )
        expect(page.get_by_label("Eindtijd")).to_have_attribute("aria-invalid", "true")
        _accessible_and_narrow(page)
        page.get_by_label("Eindtijd").fill("17:30")
        page.get_by_role("button", name="Start de sessie").last.click()
        expect(page).to_have_url(re.compile(r"/sessies/[\w-]+$"))
        expect(page.locator("dl.facts")).to_contain_text("16:00 – 17:30")
        _accessible_and_narrow(page)
        page.get_by_role("link", name="Collega's uitnodigen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Collega's uitnodigen")
        _accessible_and_narrow(page)
        page.get_by_role("button", name="Verstuur de uitnodigingen").click()
        expect(page.get_by_role("alert")).to_contain_text("Kies minstens één persoon")
        _accessible_and_narrow(page)
        page.locator('input[name="account"]').first.check()
        page.get_by_role("button", name="Verstuur de uitnodigingen").click()
        expect(page.get_by_role("status")).to_contain_text("1 uitnodiging is onderweg")
        expect(page.locator("main ul").last).not_to_be_empty()
        _accessible_and_narrow(page)
    finally:
        context.close()


def test_a_coordinator_invites_someone_who_makes_an_account_and_logs_in(
    browser: Browser, mailing_server: tuple[str, MailServer]
) -> None:
    url, mail = mailing_server
    coordinator = browser.new_context(base_url=url, locale="nl-NL", viewport=PHONE)
    invitee = browser.new_context(base_url=url, locale="nl-NL", viewport=PHONE)
    try:
        page = coordinator.new_page()
        page.set_default_timeout(10_000)
        log_in(page, "coordinator@werkplaats.example")
        page.goto("/beheer/accounts")
        form = page.locator('form[action="/beheer/accounts/uitnodigen"]')
        form.get_by_label("E-mailadres").fill("nieuw@werkplaats.example")
        form.get_by_role("button", name="Verstuur de uitnodiging").click()
        expect(page.locator("#invite-error")).to_contain_text("Kies minstens één rol")
        _accessible_and_narrow(page)
        form = page.locator('form[action="/beheer/accounts/uitnodigen"]')
        form.get_by_label("Docent").check()
        form.get_by_role("button", name="Verstuur de uitnodiging").click()
        expect(page.get_by_role("status")).to_contain_text("nieuw@werkplaats.example")
        text = _mails(mail, 1)[0]
        link = re.search(r"https?://\S+/uitnodiging/[\w-]+", text)
        assert link, text

        person = invitee.new_page()
        person.set_default_timeout(10_000)
        person.goto(link.group(0))
        expect(person.get_by_role("heading", level=1)).to_have_text("Maak je account")
        _accessible_and_narrow(person)
        person.get_by_label("Naam").fill("Nieuwe Docent")
        person.get_by_label("Wachtwoord").fill("een goed wachtwoord")
        person.get_by_role("button", name="Maak mijn account").click()
        expect(person.get_by_role("heading", level=1)).to_have_text("Je account is klaar")
        _accessible_and_narrow(person)
        person.goto("/login")
        person.get_by_label("E-mailadres").fill("nieuw@werkplaats.example")
        person.get_by_label("Wachtwoord").fill("een goed wachtwoord")
        person.get_by_role("button", name="Inloggen").click()
        expect(person.get_by_role("button", name="Uitloggen")).to_be_visible()
        person.goto(link.group(0))
        expect(person.locator("#link-error")).to_contain_text("werkt niet meer")
    finally:
        coordinator.close()
        invitee.close()
