"""The outcome pages in Chromium: composing and reading an outcome meet WCAG 2.1 AA (axe)."""

from __future__ import annotations

import asyncio
import re
import threading
from typing import Any

import httpx
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from server.demo import DEMO_PASSWORD
from sessions.tokens import participant_cookie
from tests.browser.conftest import log_in
from tests.sessions.live import Client, Server
from tests.sessions.pages import form_fields, post_form

AXE_RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}


def _accessible(page: Page) -> None:
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, results.generate_report()


async def _session_with_harvest(url: str) -> str:
    """A started session with notes, markers and two harvest answers; its public id."""
    async with httpx.AsyncClient(base_url=url) as fa:
        page = await fa.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        await fa.post(
            "/login",
            data={
                "email": "facilitator@werkplaats.example",
                "password": DEMO_PASSWORD,
                "csrf_token": token,
            },
        )
        created = (
            await fa.post(
                "/api/sessions",
                json={"title": "Intervisie", "variant": "intervisie", "goals": ["reflecteren"]},
            )
        ).json()
    server: Any = Server.__new__(Server)  # the clients need only the address
    server.url = url
    public_id = str(created["session"])
    facilitator = Client(server, public_id, created["participant"], created["token"])
    await facilitator.connect()
    await facilitator.do("start", "phase.next")
    for n, (name, consent) in enumerate((("Anna", "open"), ("Bram", "no"))):
        async with httpx.AsyncClient(base_url=url) as client:
            joined = await client.post(
                f"/api/sessions/{created['join_code']}/join", json={"name": name}
            )
        data = joined.json()
        person = Client(server, public_id, data["participant"], data["token"])
        await person.connect()
        await person.do(f"note-{n}", "note.add", text=f"Briefje van deelnemer {n}")
        for kind, x in (("now", 0.3), ("desired", 0.8)):
            await person.send(type="marker.place", id=f"{kind}-{n}", kind=kind, x=x, y=x)
            acks, command = person.acks, f"{kind}-{n}"
            await person.wait_for(lambda acks=acks, command=command: command in acks)
        cookies = {participant_cookie(public_id): data["token"]}
        async with httpx.AsyncClient(base_url=url, cookies=cookies) as browser:
            page = await browser.get(f"/s/{public_id}/oogst")
            fields = [(k, v) for k, v in form_fields(page.text, f"/s/{public_id}/oogst")]
            fields = [(k, "4" if k == "rating-reflecteren" else v) for k, v in fields]
            fields += [("takeaway", f"Meenemen {n}"), ("consent", consent)]
            await post_form(browser, f"/s/{public_id}/oogst", fields)
        await person.close()
    await facilitator.do("reveal", "chart.reveal")
    await facilitator.close()
    return public_id


def _prepared(url: str) -> str:
    # Playwright's sync API owns this thread's event loop: set up over asyncio in another one.
    result: list[str] = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(_session_with_harvest(url))))
    thread.start()
    thread.join(60)
    assert result, "setting up the session failed"
    return result[0]


def test_composing_and_reading_an_outcome_is_accessible(browser: Browser, live_server: str) -> None:
    public_id = _prepared(live_server)
    context = browser.new_context(base_url=live_server, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "facilitator@werkplaats.example")

    page.goto(f"/sessies/{public_id}")
    page.get_by_role("link", name="Uitkomst samenstellen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Uitkomst samenstellen")
    expect(page.get_by_role("img", name=re.compile("Positioneringskaart"))).to_be_visible()
    _accessible(page)
    page.get_by_label("Samenvatting").fill("Wat we bespraken.")
    page.get_by_role("button", name="Product toevoegen").click()
    expect(page.locator("#f-product-2-title")).to_be_focused()
    page.locator("#f-product-1-title").fill("Gids")
    page.get_by_label("Open (CC BY 4.0)").check()
    page.get_by_role("button", name="Uitkomst opslaan").last.click()
    expect(page).to_have_url(re.compile(r"/uitkomsten/[\w-]+\?opgeslagen=1$"))
    expect(page.get_by_text("De uitkomst is opgeslagen.")).to_be_visible()
    _accessible(page)
    page.get_by_role("link", name="Open (CC BY 4.0)").click()
    expect(page.get_by_text("Licentie: CC BY 4.0.")).to_be_visible()
    expect(page.get_by_text("Briefje van deelnemer 1")).to_have_count(0)
    _accessible(page)

    reader = browser.new_context(base_url=live_server, locale="nl-NL").new_page()
    reader.goto(page.url.split("?")[0])
    expect(reader.get_by_text("Briefje van deelnemer 0")).to_be_visible()
    expect(reader.get_by_text("Deelnemer A")).to_be_visible()
    _accessible(reader)
    context.close()
