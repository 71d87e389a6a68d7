"""The main steps of a session, as a facilitator and a participant see them at 1280 and at 360 px
wide: joining from the home page, the waiting room and the cockpit, the board, the positioning
chart after the reveal, and the harvest. Each step must fit the width (no sideways scroll); its
screenshots (the whole page, and what fits the screen) land in build/screenshots/steps/ for a
person to look at; the README shows two of them, copied to docs/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, NewContext
from tests.browser.test_workspace import PHONE, SCREENSHOTS, Session, connected

STEPS = SCREENSHOTS / "steps"
AGENDA = [
    {"name": "Ideeën verzamelen", "minutes": 15, "tool": "board"},
    {"name": "Waar staan we?", "minutes": 15, "tool": "position-chart"},
    {"name": "Oogsten", "minutes": 10, "tool": "harvest"},
]
SEND = "([type, fields]) => window.werkplaats.send(type, fields)"
NOTES = [
    "Vaker samen op huisbezoek",
    "Een vaste collega om mee te sparren",
    "Meer tijd voor nazorg",
]


def send(page: Page, command: str, fields: dict[str, Any] | None = None) -> None:
    acked = page.evaluate(SEND, [command, fields or {}])
    assert "seqs" in acked, acked


def step(page: Page, name: str, width: str) -> None:
    """The page fits its width, and its screenshot is written."""
    page.wait_for_timeout(300)  # let the calm animations (reveal, fades) settle
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name}: {overflow}px of sideways scroll at {width}"
    STEPS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(STEPS / f"{name}-{width}.png"), full_page=True)
    page.screenshot(path=str(STEPS / f"{name}-{width}-view.png"))  # what fits the screen


@pytest.mark.parametrize("width", ["1280", "360"])
def test_the_main_steps_fit_and_are_pictured(
    live_server: str, new_context: NewContext, width: str
) -> None:
    viewport = DESKTOP if width == "1280" else PHONE

    class SizedSession(Session):
        pass

    SizedSession.viewport = viewport
    session = SizedSession(live_server, new_context)
    facilitator = session.facilitator
    send(facilitator, "agenda.set", {"phases": AGENDA})
    bram = session.join("Bram", viewport=DESKTOP)

    # Joining: the home page's form, code and name, one tap.
    anna = new_context(viewport).new_page()
    anna.goto("/")
    join = anna.get_by_role("region", name="Meedoen met een code")
    join.get_by_label("Code").fill(session.code)
    join.get_by_label("Je naam").fill("Anna")
    step(anna, "01-join", width)
    join.get_by_role("button", name="Meedoen").click()
    connected(anna)
    expect(anna.locator(".ws-waiting-agenda")).to_contain_text("Ideeën verzamelen")
    step(anna, "02-waiting-room", width)
    expect(facilitator.get_by_role("button", name="Start de eerste fase")).to_be_visible()
    step(facilitator, "03-cockpit", width)

    # The board: the facilitator starts it, notes arrive, one theme gathers two of them.
    facilitator.get_by_role("button", name="Start de eerste fase").click()
    note_field = anna.locator(".note-form textarea")
    note_field.fill(NOTES[0])
    anna.get_by_role("button", name="Briefje plaatsen").click()
    for text in NOTES[1:]:
        send(bram, "note.add", {"text": text})
    send(facilitator, "cluster.create", {"title": "Samen werken"})
    for text in NOTES:
        expect(anna.locator(".ws-tool-board")).to_contain_text(text)
    notes = facilitator.evaluate("Object.keys(window.werkplaats.state.notes)")
    cluster = facilitator.evaluate("Object.keys(window.werkplaats.state.clusters)[0]")
    for note in notes[:2]:
        send(facilitator, "note.cluster", {"note": note, "cluster": cluster})
    expect(anna.locator(".ws-tool-board")).to_contain_text("Samen werken")
    step(anna, "04-board", width)
    step(facilitator, "05-board-facilitator", width)

    # The positioning chart after the reveal: everyone's arrow, the group's mean and spread.
    facilitator.get_by_role("button", name="Volgende fase").click()
    for page, now, desired in ((anna, (0.3, 0.6), (0.6, 0.2)), (bram, (0.5, 0.7), (0.8, 0.4))):
        send(page, "marker.place", {"kind": "now", "x": now[0], "y": now[1]})
        send(page, "marker.place", {"kind": "desired", "x": desired[0], "y": desired[1]})
    send(facilitator, "chart.reveal")
    expect(anna.locator(".ws-tool-position-chart")).to_be_visible()
    step(anna, "06-chart-revealed", width)

    # The harvest: the main action for everyone, the count for the facilitator.
    facilitator.get_by_role("button", name="Volgende fase").click()
    expect(anna.get_by_role("link", name="Vul de oogst in")).to_be_visible()
    step(anna, "07-harvest-phase", width)
    step(facilitator, "08-harvest-facilitator", width)
