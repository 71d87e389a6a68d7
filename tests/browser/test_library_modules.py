"""Issue 7's path in Chromium: an educator finds shared outcomes across regions in the library
(by words, and by a national theme that two regions' own themes belong to), builds a module
from two of them and a practice, and downloads it in each format."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

import sessions  # noqa: F401  (the outcome tables refer to the session tables)
from catalogue.outcomes import actions, composition
from server.db import create_engine, sessionmaker
from tests.browser.conftest import _wait_until_up, log_in
from tests.ports import free_port
from tests.server.test_cli import WERKPLAATS

# Two outcomes of two Werkplaatsen, shared openly; participant p2 did not consent, so her note
# (with her name in it) must never reach the library or an export.
CAPTURED = {
    "clusters": [
        {
            "title": "Samenwerken",
            "votes": 2,
            "notes": [
                {"text": "Korte lijnen met de wijkagent", "by": "p1", "votes": 2},
                {"text": "Wilma Zandbergen belt altijd terug", "by": "p2", "votes": 0},
            ],
        }
    ],
    "unclustered": [],
    "round": {"order": ["p1", "p2"], "passed": []},
    "chart": None,
    "attendance": {"room": 1, "remote": 1, "total": 2},
}
# (title, region, regional theme, summary): both regional themes belong to the national theme
# "Sociale wijkteams"; the third outcome's theme does not.
OUTCOMES = (
    (
        "Wijkteams leren van elkaar",
        "zuid-holland-zuid",
        "doorontwikkeling-sociale-wijkteams",
        "Wijkteams bespraken hun casussen.",
    ),
    (
        "Bewoners en wijkteams samen",
        "zwolle",
        "collectief-werken",
        "Wijkteams en bewoners zochten samen.",
    ),
)
OTHER = ("Mee kunnen doen op school", "gelderse-vallei", "kinderarmoede", "Gezinnen en scholen.")


def _run(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine in its own thread: Playwright's sync API owns this thread's loop."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as error:  # handed to the test thread below
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


async def _seed_outcomes(database: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        db = sessionmaker(engine)
        for title, region, theme, summary in (*OUTCOMES, OTHER):
            async with db() as session:
                await actions.save_outcome(
                    session,
                    composition.SessionFacts(
                        session_id=None,
                        title=title,
                        held_on=dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC),
                        variant_slug="intervisie",
                        region_slug=region,
                        theme_slug=theme,
                        goals=(),
                    ),
                    composition.Composition(
                        summary=summary, insights="Vaker samen", sharing="open"
                    ),
                    CAPTURED,
                    {"p1": "open", "p2": "no"},
                    {},
                    None,
                )
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def library_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("library")
    env = {**os.environ, "WERKPLAATS_DATA_DIR": str(data)}
    for command in (["migrate"], ["seed", "--demo-accounts"]):
        subprocess.run([WERKPLAATS, *command], env=env, check=True, capture_output=True)
    _run(_seed_outcomes(data / "werkplaats.sqlite3"))
    port = free_port()
    log = (data / "server.log").open("w")
    process = subprocess.Popen(
        [WERKPLAATS, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, data / "server.log")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_an_educator_finds_outcomes_builds_a_module_and_downloads_it(
    browser: Browser, library_server: str
) -> None:
    context = browser.new_context(base_url=library_server, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, "educator@werkplaats.example")
        expect(page.get_by_role("link", name="Modules")).to_be_visible()

        # The library: one search finds both Werkplaatsen's outcomes; the unconsented note
        # (and the name in it) is not findable.
        page.get_by_role("link", name="Bibliotheek").click()
        page.locator("#f-q").fill("wijkteams")
        page.get_by_role("button", name="Zoeken").click()
        for title, *_ in OUTCOMES:
            expect(page.get_by_role("link", name=title)).to_be_visible()
        page.locator("#f-q").fill("Zandbergen")
        page.get_by_role("button", name="Zoeken").click()
        for title, *_ in OUTCOMES:
            expect(page.get_by_role("link", name=title)).to_have_count(0)

        # A national theme finds the outcomes of both regions' own themes under it, only those.
        page.locator("#f-q").fill("")
        page.get_by_label("Thema").select_option(label="Sociale wijkteams")
        page.get_by_role("button", name="Zoeken").click()
        expect(page.get_by_role("heading", name="2 uitkomsten")).to_be_visible()
        for title, *_ in OUTCOMES:
            expect(page.get_by_role("link", name=title)).to_be_visible()
        expect(page.get_by_role("link", name=OTHER[0])).to_have_count(0)
        expect(page.get_by_text("landelijk thema: Sociale wijkteams").first).to_be_visible()

        # A module from the two outcomes and one practice.
        page.goto("/modules/nieuw")
        page.locator('[name="title"]').fill("Samenwerken in de wijk")
        page.locator('[name="audience"]').fill("hbo Social Work, jaar 2")
        page.locator('[name="objectives"]').fill("Je herkent wat samenwerking in de wijk vraagt")
        for slot, (title, *_) in enumerate(OUTCOMES, start=1):
            page.locator(f'[name="case-{slot}-outcome"]').select_option(label=title)
        page.locator('[name="exercise-1-variant"]').select_option("intervisie")
        page.locator('[name="reflection"]').fill("Wat neem je mee naar je stage?")
        page.get_by_role("button", name="Opslaan").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Samenwerken in de wijk")

        # Each format, as the download links give it.
        for label, check in (
            ("Markdown", lambda text: text.startswith("# Samenwerken in de wijk")),
            ("JSON", lambda text: json.loads(text)["title"] == "Samenwerken in de wijk"),
        ):
            with page.expect_download() as download:
                page.get_by_role("link", name=label, exact=True).click()
            text = Path(download.value.path()).read_text(encoding="utf-8")
            assert check(text), label
            for title, *_ in OUTCOMES:
                assert title in text, (label, title)
            assert "Zandbergen" not in text and "Wilma" not in text
            assert "CC BY" in text
        page.get_by_role("link", name="pagina om te printen").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Samenwerken in de wijk")
        printable = page.content()
        assert "Zandbergen" not in printable and "CC BY" in printable
        assert all(title in printable for title, *_ in OUTCOMES)
    finally:
        context.close()
