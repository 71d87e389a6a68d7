"""The institution's login in Chromium: the login page's button, the real OpenID provider's
pages (tests/oidc/), and back logged in; axe finds nothing on our pages."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from server.oidc import CALLBACK_PATH
from tests.browser.conftest import _wait_until_up
from tests.oidc.peer import CLIENT_ID, CLIENT_SECRET, require_provider, running_provider
from tests.ports import free_port
from tests.server.test_cli import WERKPLAATS

AXE_RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}


def _accessible(page: Page) -> None:
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture(scope="module")
def institution_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server that logs in with a real OpenID provider on loopback."""
    require_provider()
    data = tmp_path_factory.mktemp("oidc-site")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running_provider(url + CALLBACK_PATH, data / "provider.log") as provider:
        env = {
            **os.environ,
            "WERKPLAATS_DATA_DIR": str(data),
            "WERKPLAATS_PUBLIC_URL": url,
            "WERKPLAATS_OIDC_ISSUER": provider.issuer,
            "WERKPLAATS_OIDC_CLIENT_ID": CLIENT_ID,
            "WERKPLAATS_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "WERKPLAATS_DEIDENTIFY_PRELOAD": "0",
        }
        subprocess.run([WERKPLAATS, "migrate"], env=env, check=True, capture_output=True)
        log = (data / "server.log").open("w")
        process = subprocess.Popen(
            [WERKPLAATS, "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(url, process, data / "server.log")
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)
            log.close()


def test_logging_in_with_the_institution(browser: Browser, institution_site: str) -> None:
    context = browser.new_context(base_url=institution_site, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/login?next=/account")
        button = page.get_by_role("link", name="Inloggen met SURFconext")
        expect(button).to_be_visible()
        expect(page.get_by_label("Wachtwoord")).to_be_visible()  # password login stays on
        _accessible(page)
        button.click()
        # The provider's own pages (oidc-provider's development login and consent).
        page.locator('input[name="login"]').fill("student@hogeschool.example")
        page.locator('input[name="password"]').fill("anything")
        page.get_by_role("button", name="Sign-in").click()
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(f"{institution_site}/account")
        expect(page.get_by_role("heading", name="Je account")).to_be_visible()
        expect(page.locator("#no-role")).to_contain_text("een coördinator van deze Werkplaats")
        expect(page.get_by_text("student@hogeschool.example")).to_be_visible()
        _accessible(page)
    finally:
        context.close()
