"""One language across the site (issue 16): plural forms, calm notices, Dutch numbers and dates,
a session's real start and status, and the agenda's length against the practice's time."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from server.demo import DEMO_PASSWORD
from server.formatting import format_date, format_datetime, format_number
from sessions.tokens import participant_cookie
from tests.browser.conftest import log_in
from tests.sessions.live import Client, Server
from tests.sessions.pages import form_fields, post_form

T = TypeVar("T")
SCREENSHOTS = Path(__file__).parents[2] / "build" / "screenshots"  # as test_workspace.py
FACILITATOR = "facilitator@werkplaats.example"
MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
DUTCH_MOMENT = re.compile(rf"^\d{{1,2}} ({MONTHS}) \d{{4}}, \d{{2}}:\d{{2}}$")
DUTCH_DAY = re.compile(rf"\d{{1,2}} ({MONTHS}) \d{{4}}")
AXE_RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}


def _accessible(page: Page) -> None:
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, results.generate_report()


def _in_thread(make: Callable[[], Awaitable[T]]) -> T:
    # Playwright's sync API owns this thread's event loop: talk to the server over asyncio in
    # another one.
    result: list[T] = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(make())))  # type: ignore[arg-type]
    thread.start()
    thread.join(60)
    assert result, "talking to the server failed"
    return result[0]


async def _create(url: str, **body: Any) -> dict[str, Any]:
    """A session created over the API by the demo facilitator."""
    async with httpx.AsyncClient(base_url=url) as client:
        page = await client.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        await client.post(
            "/login", data={"email": FACILITATOR, "password": DEMO_PASSWORD, "csrf_token": token}
        )
        created: dict[str, Any] = (await client.post("/api/sessions", json=body)).json()
    return created


def _server(url: str) -> Server:
    server: Any = Server.__new__(Server)  # the clients need only the address
    server.url = url
    return server  # type: ignore[no-any-return]


async def _facilitator_does(url: str, created: dict[str, Any], *commands: str) -> None:
    server = _server(url)
    public_id = str(created["session"])
    facilitator = Client(server, public_id, created["participant"], created["token"])
    await facilitator.connect()
    for n, command in enumerate(commands):
        await facilitator.do(f"{command}-{n}", command)
    await facilitator.close()


# 1. One place in the room: good Dutch, and a notice rather than an error --------------------


def test_a_full_room_with_one_place_is_a_calm_notice(page: Page, live_server: str) -> None:
    async def prepare() -> dict[str, Any]:
        created = await _create(live_server, title="Klein zaaltje", modality="hybrid", capacity=1)
        async with httpx.AsyncClient(base_url=live_server) as client:
            joined = await client.post(
                f"/api/sessions/{created['join_code']}/join",
                json={"name": "Anna", "location": "room"},
            )
        assert joined.status_code == 201, joined.text
        return created

    created = _in_thread(prepare)
    page.goto(f"/join?code={created['join_code']}")
    page.get_by_label("Je naam").fill("Bram")
    page.get_by_label("in de zaal").check()
    page.get_by_role("button", name="Meedoen", exact=True).click()

    notice = page.locator("#join-error")
    expect(notice).to_contain_text("De zaal is vol")
    expect(notice).to_contain_text("1 plaats")
    expect(notice).not_to_contain_text("alle 1 plaatsen")
    # An ordinary situation with a way on: said politely, not shouted as an error.
    expect(notice).to_have_attribute("role", "status")
    expect(notice).not_to_have_class(re.compile(r"\berror\b"))
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(notice.get_by_role("button", name="Doe op afstand mee")).to_be_visible()
    _accessible(page)


# 2. "je", as everywhere ---------------------------------------------------------------------


def test_the_library_says_je(page: Page) -> None:
    page.goto("/bibliotheek")
    lead = page.locator("main p").first
    expect(lead).to_contain_text("Je ziet de uitkomsten die je mag lezen")
    expect(page.locator("main")).not_to_contain_text(re.compile(r"\b[Uu] (ziet|bent)\b"))


# 3. Numbers and dates in one Dutch notation --------------------------------------------------


async def _session_rated_3_and_4(url: str) -> str:
    """A started session whose goal two participants rated 3 and 4 (mean 3.5); its public id."""
    created = await _create(url, title="Intervisie", variant="intervisie", goals=["reflecteren"])
    await _facilitator_does(url, created, "phase.next")
    public_id = str(created["session"])
    for name, rating in (("Anna", "3"), ("Bram", "4")):
        async with httpx.AsyncClient(base_url=url) as client:
            joined = (
                await client.post(f"/api/sessions/{created['join_code']}/join", json={"name": name})
            ).json()
        cookies = {participant_cookie(public_id): joined["token"]}
        async with httpx.AsyncClient(base_url=url, cookies=cookies) as browser:
            page = await browser.get(f"/s/{public_id}/oogst")
            fields = list(form_fields(page.text, f"/s/{public_id}/oogst"))
            fields = [(k, rating if k == "rating-reflecteren" else v) for k, v in fields]
            fields += [("takeaway", f"Meenemen {name}"), ("consent", "open")]
            await post_form(browser, f"/s/{public_id}/oogst", fields)
    return public_id


def test_ratings_and_dates_are_written_the_dutch_way(page: Page, live_server: str) -> None:
    public_id = _in_thread(lambda: _session_rated_3_and_4(live_server))
    log_in(page, FACILITATOR)
    page.goto(f"/sessies/{public_id}/uitkomst")
    ratings = page.locator("table.goal-ratings")
    expect(ratings).to_contain_text("3,5")
    expect(ratings).not_to_contain_text("3.5")
    page.get_by_label("Samenvatting").fill("Wat we bespraken.")
    page.get_by_label("Open (CC BY 4.0)").check()
    page.get_by_role("button", name="Uitkomst opslaan").last.click()
    expect(page).to_have_url(re.compile(r"/uitkomsten/[\w-]+\?opgeslagen=1$"))
    expect(page.locator("table.goal-ratings")).to_contain_text("3,5")
    held = page.locator("li", has_text="Gehouden op")
    expect(held).to_have_text(DUTCH_DAY)
    expect(held).not_to_have_text(re.compile(r"\d{4}-\d{2}-\d{2}"))

    page.goto("/bibliotheek")
    first_day = page.locator("main time").first
    expect(first_day).to_have_text(DUTCH_DAY)


# 5 and 6. When a session started, and whether it is planned, running or over -----------------


def _row_of(page: Page, title: str) -> dict[str, str]:
    page.goto("/sessies")
    row = page.locator("table.session-list tbody tr", has_text=title)
    cells = [text.strip() for text in row.locator("td").all_inner_texts()]
    headers = page.locator("table.session-list thead th").all_inner_texts()
    return dict(zip(headers, cells, strict=True))


def test_the_session_list_says_when_a_session_started_and_how_it_stands(
    page: Page, live_server: str
) -> None:
    created = _in_thread(lambda: _create(live_server, title="Nog niet begonnen"))
    log_in(page, FACILITATOR)
    row = _row_of(page, "Nog niet begonnen")
    assert row["Gestart"] == "nog niet gestart"
    assert row["Status"] == "gepland"
    page.goto(f"/sessies/{created['session']}")
    expect(page.locator("dd", has_text="nog niet gestart")).to_be_visible()

    _in_thread(lambda: _facilitator_does(live_server, created, "phase.next"))
    row = _row_of(page, "Nog niet begonnen")
    assert DUTCH_MOMENT.match(row["Gestart"]), row
    assert row["Status"] == "bezig"

    _in_thread(lambda: _facilitator_does(live_server, created, "session.end"))
    row = _row_of(page, "Nog niet begonnen")
    assert DUTCH_MOMENT.match(row["Gestart"]), row
    assert row["Status"] == "afgelopen"


# 7. The agenda's total against the practice's time -------------------------------------------


def test_the_start_form_adds_up_the_agenda_and_warns_when_it_runs_over(
    browser: Browser, page: Page, live_server: str
) -> None:
    log_in(page, FACILITATOR)
    page.goto("/sessies/nieuw?variant=positioneringsgesprek")
    total = page.locator("[data-agenda-total]")
    expect(total).to_contain_text("90 minuten")
    expect(total).to_contain_text("70 tot 90 minuten")
    expect(page.locator("[data-agenda-over]")).to_be_hidden()

    # Live, as the facilitator edits: one phase 15 minutes longer.
    page.locator("#phase-1-minutes").fill("20")
    expect(total).to_contain_text("105 minuten")
    warning = page.locator("[data-agenda-over]")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("15 minuten langer")
    page.get_by_role("button", name="Fase toevoegen").click()
    expect(total).to_contain_text("115 minuten")
    page.locator("#phase-1-minutes").fill("5")
    expect(total).to_contain_text("100 minuten")
    expect(warning).to_contain_text("10 minuten langer")
    _accessible(page)  # (axe needs the script: here, not on the page without it below)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 800), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        warning.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"start-agenda-over-{width}x{height}.png"))

    # Without the script the server says the same when the form comes back.
    cookies = page.context.cookies()
    plain = browser.new_context(base_url=live_server, locale="nl-NL", java_script_enabled=False)
    plain.add_cookies(cookies)  # type: ignore[arg-type]
    server_page = plain.new_page()
    server_page.goto("/sessies/nieuw?variant=positioneringsgesprek")
    expect(server_page.locator("[data-agenda-total]")).to_contain_text("90 minuten")
    server_page.locator("#phase-1-minutes").fill("20")
    server_page.get_by_role("button", name="Fase toevoegen").click()
    expect(server_page.locator("[data-agenda-total]")).to_contain_text("115 minuten")
    expect(server_page.locator("[data-agenda-over]")).to_be_visible()
    expect(server_page.locator("[data-agenda-over]")).to_contain_text("25 minuten langer")
    plain.close()


# The workspace client writes numbers and dates as the server's pages do ---------------------


def test_the_clients_formats_match_the_servers(page: Page) -> None:
    moments = [1796560200.0, 1780750805.0]  # 6 December 2026 (winter), 6 June 2026 (summer)
    for language in ("nl", "en"):
        page.goto(f"/taal?lang={language}&next=/")
        written = page.evaluate(
            """async (moments) => {
                const format = await import("/static/workspace/format.js");
                return {
                    numbers: [3.5, 4.25].map((n) => format.formatNumber(n))
                        .concat([format.formatNumber(7, 0)]),
                    moments: moments.map((at) => format.formatDateTime(at)),
                    days: moments.map((at) => format.formatDate(at)),
                };
            }""",
            moments,
        )
        assert written["numbers"][0] == format_number(3.5, 1, language)
        assert written["numbers"][2] == format_number(7, 0, language)
        for at, moment, day in zip(moments, written["moments"], written["days"], strict=True):
            when = dt.datetime.fromtimestamp(at, dt.UTC)
            assert moment == format_datetime(when, language), language
            assert day == format_date(when, language), language
