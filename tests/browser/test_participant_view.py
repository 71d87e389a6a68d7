"""The participant's side of a session in Chromium: the join page, the waiting room, the compact
workspace (the side column one tap away on phones), the end, and the projector view."""

from __future__ import annotations

import re
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, NewContext
from tests.browser.test_workspace import PHONE, SCREENSHOTS, Session, chat, connected, presence

AXE_RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
AGENDA = [
    {"name": "Welkom", "minutes": 5, "tool": "round"},
    {"name": "Ideeën verzamelen", "minutes": 15, "tool": "board"},
    {"name": "Kiezen", "minutes": 10, "tool": "vote"},
    {"name": "Oogsten", "minutes": 5, "tool": "harvest"},
]
# A command of the page's person; a refusal comes back as {code, message} for the assertion.
SEND = """([type, fields]) => window.werkplaats.send(type, fields)
  .catch((error) => ({ code: error.code, message: String(error.message || error) }))"""
# Counts every click and tap (a tap ends in a click) over page loads: typing is no tap.
COUNT_TAPS = """
document.addEventListener("click", (event) => {
  if (!event.isTrusted) return;
  sessionStorage.setItem("taps", String(Number(sessionStorage.getItem("taps") || 0) + 1));
}, true);
"""


def _session(live_server: str, new_context: NewContext, agenda: list[Any] = AGENDA) -> Session:
    session = Session(live_server, new_context)
    _send(session.facilitator, "agenda.set", {"phases": agenda})
    return session


def _send(page: Page, command: str, fields: dict[str, Any] | None = None) -> None:
    acked = page.evaluate(SEND, [command, fields or {}])
    assert "seqs" in acked, acked


def _fits_and_is_accessible(page: Page) -> None:
    """No axe violation at 1280 and at 360 px wide, and nothing scrolls sideways at 360."""
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        results = Axe().run(page, options=AXE_RULES)
        assert results.violations_count == 0, results.generate_report()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow}px of horizontal scroll at 360 px wide"


def test_a_latecomer_with_the_link_of_an_ended_session_is_told_at_once(
    live_server: str, new_context: NewContext
) -> None:
    session = _session(live_server, new_context)
    _send(session.facilitator, "session.end")
    late = new_context(PHONE).new_page()
    late.goto(f"/join?code={session.code}")
    expect(late.get_by_role("heading", level=1)).to_have_text("Intervisie wijkteam Noord")
    expect(late.get_by_role("status")).to_contain_text("Deze sessie is afgelopen.")
    expect(late.get_by_label("Je naam")).to_have_count(0)
    expect(late.get_by_role("link", name="Meedoen met een andere code")).to_be_visible()
    _fits_and_is_accessible(late)


def test_someone_who_took_part_is_sent_back_to_the_ended_session(
    live_server: str, new_context: NewContext
) -> None:
    session = _session(live_server, new_context)
    anna = session.join("Anna")
    _send(session.facilitator, "session.end")
    anna.goto(f"/join?code={session.code}")
    expect(anna.get_by_role("status")).to_contain_text("Deze sessie is afgelopen.")
    anna.get_by_role("link", name="Terug naar de sessie").click()
    connected(anna)


def test_the_projector_view_of_an_ended_session_shows_no_join_code(
    live_server: str, new_context: NewContext
) -> None:
    session = _session(live_server, new_context)
    page = session.facilitator
    page.goto(f"/sessies/{session.id}/scherm")
    expect(page.locator(".join-code-large")).to_be_visible()
    _fits_and_is_accessible(page)
    page.goto(f"/s/{session.id}")
    connected(page)
    _send(page, "session.end")
    page.goto(f"/sessies/{session.id}/scherm")
    expect(page.get_by_role("heading", level=1)).to_have_text("Intervisie wijkteam Noord")
    expect(page.locator("main")).to_contain_text("Deze sessie is afgelopen.")
    expect(page.locator(".join-code")).to_have_count(0)
    expect(page.get_by_role("img", name=re.compile("QR-code"))).to_have_count(0)
    assert session.code not in page.locator("body").inner_text()
    _fits_and_is_accessible(page)


def test_after_the_end_the_workspace_says_so_once_and_voting_is_over(
    live_server: str, new_context: NewContext
) -> None:
    session = _session(live_server, new_context)
    anna = session.join("Anna")
    for _ in range(3):
        _send(session.facilitator, "phase.next")
    _send(session.facilitator, "voting.open", {"budget": 3, "hidden": False})
    expect(anna.locator(".ws-tool-vote .voting-status")).to_contain_text("Het stemmen is open.")
    _send(session.facilitator, "session.end")
    expect(anna.locator(".ws-banner")).to_contain_text("De sessie is afgelopen.")
    expect(anna.locator(".ws-tool-vote .voting-status")).to_contain_text("Het stemmen is gesloten.")
    text = anna.locator("#workspace").inner_text()
    assert "Het stemmen is open." not in text
    assert "Stem op de briefjes" not in text
    assert text.count("De sessie is afgelopen.") == 1, text
    expect(anna.locator(".ws-phase-name")).to_have_text("Afgelopen")
    anna.locator(".ws-banner").get_by_role("link", name="Naar de oogst").click()
    expect(anna.get_by_role("heading", level=1)).to_contain_text("Oogst: ")
    anna.go_back()
    connected(anna)
    _fits_and_is_accessible(anna)


def test_the_waiting_room_says_what_will_happen_and_who_is_there(
    live_server: str, new_context: NewContext
) -> None:
    session = _session(live_server, new_context)
    anna = session.join("Anna", viewport=PHONE)
    session.join("Bram")
    room = anna.get_by_role("region", name="Wachtruimte")
    expect(room).to_contain_text("De sessie is nog niet begonnen.")
    agenda = room.get_by_role("list", name="Wat we gaan doen")
    expect(agenda.get_by_role("listitem")).to_have_text(
        ["Welkom 5 min.", "Ideeën verzamelen 15 min.", "Kiezen 10 min.", "Oogsten 5 min."]
    )
    expect(room).to_contain_text("35 min. in totaal")
    people = room.get_by_role("list", name="Wie er al is")
    expect(people).to_contain_text("Anna (jij)")
    expect(people).to_contain_text("Bram")
    expect(people).to_contain_text("Fatima Facilitator")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    anna.screenshot(path=str(SCREENSHOTS / "participant-waiting-room-360x740.png"))
    _fits_and_is_accessible(anna)
    _send(session.facilitator, "phase.next")
    expect(room).to_be_hidden()


def test_participants_see_the_session_not_the_site(
    live_server: str, new_context: NewContext
) -> None:
    session = _session(live_server, new_context)
    anna = session.join("Anna")
    expect(anna.get_by_role("navigation", name="Hoofdmenu")).to_have_count(0)
    _send(session.facilitator, "phase.next")
    header = anna.locator(".ws-header")
    expect(header.get_by_role("heading", level=1)).to_have_text("Intervisie wijkteam Noord")
    expect(header.locator(".ws-phase-name")).to_have_text("Fase 1 van 4: Welkom")
    expect(header.get_by_role("timer")).to_contain_text("Tijd over:")
    expect(header.locator(".ws-conn")).to_have_text(re.compile("Verbonden"))
    box = header.bounding_box()
    assert box is not None and box["height"] < 200, box
    # On the desktop the side column is there without a tap.
    expect(chat(anna).get_by_label("Je bericht")).to_be_visible()
    expect(presence(anna)).to_be_visible()
    expect(anna.locator(".ws-dock")).to_be_hidden()


def test_on_a_phone_chat_and_people_are_one_tap_away(
    live_server: str, new_context: NewContext
) -> None:
    session = _session(live_server, new_context)
    anna = session.join("Anna", viewport=PHONE)
    _send(session.facilitator, "phase.next")
    _send(session.facilitator, "phase.next")
    dock = anna.get_by_role("navigation", name="Meer in deze sessie")
    expect(dock).to_be_visible()
    expect(chat(anna)).to_be_hidden()
    expect(presence(anna)).to_be_hidden()
    # The tool fills the page: nothing of the side column below it.
    assert anna.evaluate("document.documentElement.scrollHeight") < 2000

    # A message while the chat is closed is counted on its button, until it is opened.
    chat(session.facilitator).get_by_label("Je bericht").fill("Welkom allemaal")
    chat(session.facilitator).get_by_label("Je bericht").press("Enter")
    expect(dock.get_by_role("button", name="Chat")).to_have_text("Chat (1 nieuw)")
    dock.get_by_role("button", name="Chat").click()
    expect(dock.get_by_role("button", name="Chat")).to_have_attribute("aria-expanded", "true")
    expect(dock.get_by_role("button", name="Chat")).to_have_text("Chat")
    expect(chat(anna).get_by_role("log")).to_contain_text("Welkom allemaal")
    chat(anna).get_by_label("Je bericht").fill("Goedemorgen!")
    chat(anna).get_by_label("Je bericht").press("Enter")
    expect(chat(session.facilitator).get_by_role("log")).to_contain_text("Goedemorgen!")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    anna.screenshot(path=str(SCREENSHOTS / "participant-chat-sheet-360x740.png"))
    _fits_and_is_accessible(anna)

    dock.get_by_role("button", name=re.compile("^Wie is er")).click()
    expect(chat(anna)).to_be_hidden()
    expect(presence(anna)).to_contain_text("Fatima Facilitator")
    anna.keyboard.press("Escape")
    expect(presence(anna)).to_be_hidden()
    expect(dock.get_by_role("button", name=re.compile("^Wie is er"))).to_be_focused()

    dock.get_by_role("button", name="Hand en reacties").click()
    anna.get_by_role("button", name="Hand opsteken").click()
    expect(session.facilitator.locator(".ws-hands")).to_contain_text("Anna")
    expect(anna.get_by_role("button", name="Hand laten zakken")).to_be_visible()


def test_the_home_page_and_the_menu_lead_to_joining_with_a_code(page: Page) -> None:
    page.goto("/")
    expect(
        page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
            "link", name="Meedoen met een code"
        )
    ).to_be_visible()
    join = page.get_by_role("region", name="Meedoen met een code")
    expect(join.get_by_label("Code")).to_be_visible()
    _fits_and_is_accessible(page)
    page.goto("/join")
    _fits_and_is_accessible(page)


def test_on_a_phone_joining_and_placing_a_note_takes_two_taps_after_typing(
    live_server: str, new_context: NewContext
) -> None:
    session = _session(live_server, new_context)
    _send(session.facilitator, "phase.next")
    _send(session.facilitator, "phase.next")  # the board
    context = new_context(PHONE)
    context.add_init_script(COUNT_TAPS)
    phone = context.new_page()
    phone.goto("/")
    join = phone.get_by_role("region", name="Meedoen met een code")
    join.get_by_label("Code").fill(session.code.lower())
    join.get_by_label("Je naam").fill("Sanne")
    join.get_by_role("button", name="Meedoen").click()
    connected(phone)
    note = phone.locator(".note-form textarea")
    expect(note).to_be_visible()
    note.fill("Vaker samen op huisbezoek")
    phone.get_by_role("button", name="Briefje plaatsen").click()
    expect(session.facilitator.locator(".ws-tool-board")).to_contain_text(
        "Vaker samen op huisbezoek"
    )
    taps = int(phone.evaluate("sessionStorage.getItem('taps')"))
    assert taps < 3, f"{taps} taps to join and place a note"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "participant-board-360x740.png"))


def test_the_join_link_asks_only_for_the_name(live_server: str, new_context: NewContext) -> None:
    session = _session(live_server, new_context)
    phone = new_context(PHONE).new_page()
    phone.goto(f"/join?code={session.code}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Meedoen: Intervisie wijkteam Noord")
    expect(phone.get_by_label("Je naam")).to_be_focused()
    phone.get_by_label("Je naam").fill("Daan")
    phone.get_by_label("Je naam").press("Enter")
    connected(phone)
    _fits_and_is_accessible(phone)
