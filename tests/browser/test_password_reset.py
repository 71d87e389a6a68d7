"""The forgot and reset pages in Chromium, against a real server that mails through a real SMTP
server on loopback: ask for a link, open it from the mail, set a password, log in with it."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import _wait_until_up
from tests.mail_server import MailServer, parts
from tests.ports import free_port
from tests.server.test_cli import WERKPLAATS

AXE_RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
EMAIL = "educator@werkplaats.example"
NEW_PASSWORD = "een heel nieuw wachtwoord"


def _accessible(page: Page) -> None:
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture(scope="module")
def mailing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, MailServer]]:
    """A server with demo accounts whose mail goes to an SMTP server the test reads."""
    mail = MailServer()
    mail.start()
    data = tmp_path_factory.mktemp("mailing")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "WERKPLAATS_DATA_DIR": str(data),
        "WERKPLAATS_SMTP_HOST": "127.0.0.1",
        "WERKPLAATS_SMTP_PORT": str(mail.port),
        "WERKPLAATS_SMTP_TLS": "none",
        "WERKPLAATS_MAIL_FROM": "werkplaats@example.nl",
        "WERKPLAATS_PUBLIC_URL": url,
        "WERKPLAATS_DEIDENTIFY_PRELOAD": "0",
    }
    for command in (["migrate"], ["seed", "--demo-accounts"]):
        subprocess.run([WERKPLAATS, *command], env=env, check=True, capture_output=True)
    log = (data / "server.log").open("w")
    process = subprocess.Popen(
        [WERKPLAATS, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_until_up(url, process, data / "server.log")
        yield url, mail
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        mail.stop()


def _mails(mail: MailServer, count: int) -> list[str]:
    deadline = time.monotonic() + 10
    while len(mail.messages) < count:
        assert time.monotonic() < deadline, "no mail arrived"
        time.sleep(0.05)
    return [parts(message)[0] for message in mail.messages[:count]]


def test_a_forgotten_password_is_reset_in_the_browser(
    browser: Browser, mailing_server: tuple[str, MailServer]
) -> None:
    url, mail = mailing_server
    context = browser.new_context(base_url=url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/login")
        page.get_by_role("link", name="Wachtwoord vergeten?").click()
        expect(page.get_by_role("heading", name="Wachtwoord vergeten?")).to_be_visible()
        _accessible(page)
        page.get_by_label("E-mailadres").fill(EMAIL)
        page.get_by_role("button", name="Stuur me een link").click()
        expect(page.get_by_role("status")).to_contain_text(
            "Als dit adres bij ons bekend is, krijg je een mail"
        )
        _accessible(page)

        [text] = _mails(mail, 1)
        match = re.search(rf"{re.escape(url)}/wachtwoord/nieuw/\S+", text)
        assert match, text
        link = match.group(0)
        page.goto(link)
        expect(page.get_by_role("heading", name="Kies een nieuw wachtwoord")).to_be_visible()
        _accessible(page)
        page.get_by_label("Nieuw wachtwoord").fill("te kort")
        page.get_by_role("button", name="Wachtwoord opslaan").click()  # the browser stops it
        expect(page.get_by_role("heading", name="Kies een nieuw wachtwoord")).to_be_visible()
        page.get_by_label("Nieuw wachtwoord").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Wachtwoord opslaan").click()
        expect(page.get_by_role("status")).to_contain_text("Je nieuwe wachtwoord is opgeslagen")
        _accessible(page)

        page.get_by_role("link", name="Log in met je nieuwe wachtwoord").click()
        page.get_by_label("E-mailadres").fill(EMAIL)
        page.get_by_label("Wachtwoord", exact=True).fill(NEW_PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

        page.goto(link)  # a second time: it no longer works, and says what to do
        expect(page.get_by_role("alert")).to_contain_text("Deze link werkt niet meer")
        expect(page.get_by_role("link", name="Vraag een nieuwe link aan")).to_be_visible()
        _accessible(page)
    finally:
        context.close()
