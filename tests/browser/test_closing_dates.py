"""An asynchronous session's closing dates, set in the cockpit's agenda editor with the keyboard
only (Chromium, Dutch), shown in the workspace as "Open tot", and the editor accessible (axe)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import NewContext
from tests.browser.test_workspace import AXE_RULES, Session, console

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def type_moment(page: Page, day: dt.date, clock: str) -> None:
    """Type a day into the focused date field, Tab on to its time field and type the time.
    Headless Chromium shows a date field in its own order (month, day, year) whatever the
    page's language, and a time field with AM/PM: an afternoon hour (13-23) sets PM itself.
    Tab leaves the year and then the field's calendar button."""
    page.keyboard.type(day.strftime("%m%d%Y"))
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type(clock)


def test_a_facilitator_sets_a_closing_date_with_the_keyboard(
    live_server: str, new_context: NewContext
) -> None:
    session = Session(live_server, new_context, variant="intervisie", asynchronous=True)
    page = session.facilitator
    anna = session.join("Anna")
    cockpit = console(page)
    cockpit.get_by_text("Programma aanpassen").click()
    day = (dt.datetime.now(AMSTERDAM) + dt.timedelta(days=10)).date()
    closes = cockpit.get_by_label("Sluit op", exact=True)
    expect(closes).to_have_count(page.evaluate("werkplaats.state.phases.length"))

    # A wrong order is said in the status, and nothing is sent.
    closes.nth(0).focus()
    type_moment(page, day, "1700")
    closes.nth(1).focus()
    type_moment(page, day, "1600")
    save = cockpit.get_by_role("button", name="Programma opslaan")
    save.focus()
    page.keyboard.press("Enter")
    status = cockpit.locator(".ws-agenda-status")
    expect(status).to_contain_text("Fase 2 moet later sluiten dan de fase ervoor.")
    assert page.evaluate("werkplaats.state.phases[0].until") is None

    # Phase 2 closes the next day instead.
    closes.nth(1).focus()
    type_moment(page, day + dt.timedelta(days=1), "1600")
    save.focus()
    page.keyboard.press("Enter")
    expect(status).to_contain_text("Programma opgeslagen.")
    expected = dt.datetime.combine(day, dt.time(17, 0), AMSTERDAM).timestamp()
    # Anna's page has it once the event reaches her socket, which the facilitator's
    # acknowledgement does not wait for.
    anna.wait_for_function(f"werkplaats.state.phases[0].until === {expected}")
    assert anna.evaluate("werkplaats.state.phases[0].until") == expected
    # Not 23 hours after the first: 22 or 24 when summer time begins or ends that night (the
    # day is ten days from today, so a run on two days a year put that night in between).
    next_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(16, 0), AMSTERDAM)
    assert page.evaluate("werkplaats.state.phases[1].until") == next_day.timestamp()
    # The editor shows the saved dates again (Dutch time).
    expect(closes.nth(0)).to_have_value(day.isoformat())
    expect(cockpit.get_by_label("Sluit om", exact=True).nth(0)).to_have_value("17:00")

    cockpit.get_by_role("button", name="Start de eerste fase").click()
    timer = anna.get_by_role("timer")
    expect(timer).to_contain_text("Open tot")
    expect(timer).to_contain_text(f"{day.day} ")
    expect(timer).to_contain_text("17:00")

    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, results.generate_report()
