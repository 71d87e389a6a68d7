"""Browser tests: real Chromium (Debian's, never a downloaded one) against a real server."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from server.demo import DEMO_PASSWORD
from tests.helpers import totp_code
from tests.ports import free_port
from tests.server.test_cli import WERKPLAATS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SKIP_CHROMIUM = "Chromium tests skipped: install Debian's chromium (apt-get install chromium)"
# Without these, Chromium tries to reach Google's servers, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# What each page action waits for at most (set_default_timeout below), expect() waits for too:
# Playwright's own default for expect() is 5 s, half of that, whatever the page's default is.
# The slowest expect seen at a load of 12 on two cores took 0.9 s; this leaves room for the
# rare worse moment (a neighbour loading the de-identification model, a full collection).
PATIENCE_MS = 10_000
expect.set_options(timeout=PATIENCE_MS)


# Module scope, not session: Playwright's sync API runs its own event loop, which must be
# stopped before the asyncio tests of other modules run in the same process.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if CHROMIUM is None:
        pytest.skip(SKIP_CHROMIUM)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass(frozen=True)
class LiveSite:
    """A running site: its address and its data directory (with its SQLite database)."""

    url: str
    data: Path

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.data / 'werkplaats.sqlite3'}"


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """`werkplaats demo`'s steps on a fresh SQLite database, served on a loopback port."""
    data = tmp_path_factory.mktemp("live")
    env = {**os.environ, "WERKPLAATS_DATA_DIR": str(data)}
    for command in (["migrate"], ["seed", "--demo-accounts"]):
        subprocess.run([WERKPLAATS, *command], env=env, check=True, capture_output=True)
    port = free_port()
    log = (data / "server.log").open("w")
    process = subprocess.Popen(
        [WERKPLAATS, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, data / "server.log")
        yield LiveSite(url, data)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def live_server(live_site: LiveSite) -> str:
    """The address of this module's running site."""
    return live_site.url


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert process.poll() is None, log.read_text()
        time.sleep(0.1)
    raise AssertionError("server did not start")


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(PATIENCE_MS)
    yield page
    context.close()


DESKTOP = {"width": 1280, "height": 800}
NewContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser, live_server: str) -> Iterator[NewContext]:
    """Browser contexts (one per person, Dutch, desktop unless told), closed after the test."""
    contexts: list[BrowserContext] = []

    def make(viewport: dict[str, int] | None = None) -> BrowserContext:
        context = browser.new_context(
            base_url=live_server, locale="nl-NL", viewport=viewport or DESKTOP
        )
        context.set_default_timeout(PATIENCE_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


# The authenticator app of each demo coordinator the tests set up, by (server, email).
_APP_SECRETS: dict[tuple[str, str], str] = {}


def log_in(page: Page, email: str) -> None:
    """Log in with a demo account (`seed --demo-accounts`) on the login page, as a person does.

    A coordinator sets up two-step verification the first time (reading the key the page shows,
    as an authenticator app would), and types a code from it every time after."""
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    server = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    if urlsplit(page.url).path == "/login/code":
        page.get_by_label("Code").fill(totp_code(_APP_SECRETS[(server, email)]))
        page.get_by_role("button", name="Inloggen").click()
    elif urlsplit(page.url).path == "/account/tweestaps":
        secret = page.locator("#secret").inner_text().replace(" ", "")
        page.get_by_label("Code (6 cijfers)").fill(totp_code(secret))
        page.get_by_role("button", name="Tweestapsverificatie aanzetten").click()
        expect(page.get_by_role("heading", name="Je herstelcodes")).to_be_visible()
        _APP_SECRETS[(server, email)] = secret
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
