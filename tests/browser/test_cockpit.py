"""The facilitator's cockpit in Chromium: the phase's guidance from the practice's script, one
primary action at a time, the agenda as a timeline against the planned time, people with their
actions in a menu, who is done (the harvest's live count), the red end with its matching
confirmation, and no raised hand for the facilitator."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import NewContext
from tests.browser.test_workspace import (
    AXE_RULES,
    PHONE,
    SCREENSHOTS,
    Session,
    connected,
    console,
    presence,
)

# 1-2-4-allen (catalogue/content/variants/1-2-4-all.toml): its first two phases and what the
# script tells the facilitator to do in them.
VARIANT = "1-2-4-all"
FIRST_GUIDANCE = "Zet de vraag op het bord en leg de vier stappen kort uit."
SECOND_GUIDANCE = "Vraag iedereen een minuut in stilte ideeën op privé-briefjes te schrijven."


def start_from_the_form(session: Session) -> str:
    """The facilitator starts a session of the variant through the start form, as people do;
    the public id of the new session."""
    page = session.facilitator
    page.goto(f"/sessies/nieuw?variant={VARIANT}")
    page.get_by_role("button", name="Start de sessie").click()
    expect(page).to_have_url(re.compile(r"/sessies/[^/]+$"))
    public_id = page.url.rsplit("/", 1)[1]
    page.goto(f"/s/{public_id}")
    connected(page)
    return public_id


def go_to_last_phase(page: Page) -> None:
    jump = console(page).get_by_label("Naar fase")
    jump.select_option(value=jump.locator("option").last.get_attribute("value"))
    console(page).get_by_role("button", name="Start deze fase").click()


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"


def test_the_facilitator_sees_the_script_s_guidance_and_participants_do_not(
    live_server: str, new_context: NewContext
) -> None:
    """Failed before: the guidance was dropped when the session was created."""
    session = Session(live_server, new_context)
    session.id = start_from_the_form(session)
    session.code = session.facilitator.evaluate(
        "document.getElementById('workspace').dataset.joinCode"
    )
    anna = session.join("Anna")
    cockpit = console(session.facilitator)
    guidance = cockpit.locator(".ws-guidance")
    # Before the start: what to do in the first phase.
    expect(guidance).to_contain_text("Wat jij nu doet")
    expect(guidance).to_contain_text(FIRST_GUIDANCE)
    cockpit.get_by_role("button", name="Start de eerste fase").click()
    expect(anna.locator(".ws-phase")).to_contain_text("Vraag")
    expect(guidance).to_contain_text(FIRST_GUIDANCE)
    expect(anna.locator("body")).not_to_contain_text(FIRST_GUIDANCE)

    # Editing the agenda (other fields) keeps the guidance.
    cockpit.get_by_text("Programma aanpassen").click()
    cockpit.get_by_label("Minuten").nth(1).fill("3")
    cockpit.get_by_role("button", name="Programma opslaan").click()
    expect(cockpit.get_by_role("status").last).to_contain_text("Programma opgeslagen.")
    cockpit.get_by_role("button", name="Volgende fase").click()
    expect(guidance).to_contain_text(SECOND_GUIDANCE)
    expect(anna.locator(".ws-phase")).to_contain_text("Alleen")
    expect(anna.locator("body")).not_to_contain_text(SECOND_GUIDANCE)


def test_one_primary_action_at_a_time_and_no_raised_hand_for_the_facilitator(
    live_server: str, new_context: NewContext
) -> None:
    """Failed before: the facilitator had a "Hand opsteken" button."""
    session = Session(live_server, new_context)
    anna = session.join("Anna")
    page = session.facilitator
    cockpit = console(page)
    expect(anna.get_by_role("button", name="Hand opsteken")).to_be_visible()
    expect(page.get_by_role("button", name="Hand opsteken")).to_have_count(0)
    expect(page.get_by_role("region", name="Opgestoken handen")).to_be_visible()

    primary = cockpit.locator(".ws-primary:visible")  # one at a time; the outcome waits hidden
    expect(primary).to_have_text("Start de eerste fase")
    expect(cockpit.get_by_role("button", name="Volgende fase")).to_have_count(0)
    expect(cockpit.get_by_role("button", name="Vorige fase")).to_be_hidden()
    primary.click()
    expect(primary).to_have_text("Volgende fase")
    expect(cockpit.get_by_role("button", name="Start de eerste fase")).to_have_count(0)
    expect(cockpit.get_by_role("button", name="Tijd stilzetten")).to_be_visible()

    # A raised hand still reaches the facilitator, who lowers it.
    anna.get_by_role("button", name="Hand opsteken").click()
    hands = page.get_by_role("region", name="Opgestoken handen")
    expect(hands.get_by_role("listitem")).to_contain_text("Anna")
    expect(page.get_by_role("button", name="Hand opsteken")).to_have_count(0)

    go_to_last_phase(page)
    expect(primary).to_be_hidden()
    expect(cockpit).to_contain_text("Dit is de laatste fase.")


def test_the_agenda_is_a_timeline_against_the_practice_s_time(
    live_server: str, new_context: NewContext
) -> None:
    session = Session(live_server, new_context, variant=VARIANT)
    cockpit = console(session.facilitator)
    timeline = cockpit.locator(".ws-timeline")
    phases = session.facilitator.evaluate("werkplaats.state.phases.map((p) => p.minutes)")
    planned = session.facilitator.evaluate("werkplaats.state.planned_minutes")
    assert planned == 15  # 1-2-4-allen's typical duration
    total = sum(phases)
    rows = timeline.get_by_role("listitem")
    expect(rows).to_have_count(len(phases))
    # Before the start: minutes from the start.
    expect(rows.nth(0)).to_contain_text("+0 min")
    expect(rows.nth(1)).to_contain_text(f"+{phases[0]} min")
    expect(cockpit.locator(".ws-timeline-total")).to_have_text(
        f"Totaal {total} min van de 15 min die gepland zijn"
    )
    expect(cockpit.locator(".ws-timeline-warning")).to_be_hidden()

    # Once it runs: the clock time each next phase starts; the current one is marked.
    cockpit.get_by_role("button", name="Start de eerste fase").click()
    expect(rows.nth(0)).to_have_attribute("aria-current", "step")
    expect(rows.nth(1).locator(".ws-timeline-when")).to_have_text(re.compile(r"^\d\d:\d\d$"))

    # A longer agenda than the practice's time: a clear warning.
    cockpit.get_by_text("Programma aanpassen").click()
    cockpit.get_by_label("Minuten").nth(1).fill("20")
    cockpit.get_by_role("button", name="Programma opslaan").click()
    longer = total - phases[1] + 20
    expect(cockpit.locator(".ws-timeline-total")).to_contain_text(f"Totaal {longer} min")
    expect(cockpit.locator(".ws-timeline-warning")).to_have_text(
        f"Het programma duurt {longer - 15} min langer dan gepland."
        " Maak een fase korter of zeg het tegen de groep."
    )


def test_people_have_their_actions_in_one_menu(live_server: str, new_context: NewContext) -> None:
    """Failed before: each person had a role select and three buttons."""
    session = Session(live_server, new_context)
    anna = session.join("Anna")
    row = console(session.facilitator).locator(".ws-manage li[data-participant]", has_text="Anna")
    expect(row).to_be_visible()
    expect(row.locator("select")).to_have_count(0)
    expect(row.get_by_role("button", include_hidden=False)).to_have_count(1)
    toggle = row.get_by_role("button", name="Acties voor Anna")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    menu = row.locator(".ws-person-menu")
    expect(menu.get_by_role("button")).to_have_text(
        [
            "Maken tot mede-begeleider",
            "Maken tot toeschouwer",
            "Begeleiden overdragen",
            "Verwijderen",
        ]
    )
    # Escape closes it and gives the focus back.
    session.facilitator.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(toggle).to_be_focused()
    toggle.click()
    menu.get_by_role("button", name="Maken tot toeschouwer").click()
    expect(presence(anna).locator("li", has_text="Anna")).to_contain_text("Toeschouwer")
    expect(anna.locator("#ws-live-polite")).to_contain_text("Je rol is nu: Toeschouwer.")


def test_the_facilitator_closes_the_session_to_newcomers(
    live_server: str, new_context: NewContext
) -> None:
    """Before, a participant removed from a session came back from another browser with the
    code, and nothing could stop it."""
    session = Session(live_server, new_context)
    anna = session.join("Anna")
    page = session.facilitator
    code = console(page).locator(".ws-join-code")
    expect(code).to_have_text(session.code)
    close = console(page).get_by_role("button", name="Sluiten voor nieuwkomers")
    expect(close).to_have_attribute("aria-pressed", "false")
    expect(console(page)).to_contain_text("Iedereen met de code kan meedoen.")
    # Removing someone says how to keep them out.
    row = console(page).locator(".ws-manage li[data-participant]", has_text="Anna")
    row.get_by_role("button", name="Acties voor Anna").click()
    row.get_by_role("button", name="Verwijderen").click()
    expect(page.get_by_role("dialog")).to_contain_text("Sluit de sessie dan ook voor nieuwkomers.")
    page.get_by_role("dialog").get_by_role("button", name="Annuleren").click()

    close.click()
    opened = console(page).get_by_role("button", name="Weer openzetten voor nieuwkomers")
    expect(opened).to_have_attribute("aria-pressed", "true")
    expect(code).to_be_hidden()
    expect(console(page)).to_contain_text("Gesloten: niemand nieuw kan meedoen")
    expect(console(page).locator(".ws-console-status")).to_have_text(
        "Nu kan niemand nieuw meer meedoen."
    )
    # A newcomer's browser is told at once; Anna, who is in, goes on.
    newcomer = new_context().new_page()
    newcomer.goto(f"/join?code={session.code}")
    expect(newcomer.locator("#join-closed")).to_contain_text(
        "De begeleider heeft deze sessie gesloten voor nieuwkomers."
    )
    expect(newcomer.get_by_label("Je naam")).to_have_count(0)
    anna.reload()
    connected(anna)

    opened.click()
    expect(close).to_be_visible()
    expect(code).to_be_visible()
    newcomer.reload()
    expect(newcomer.get_by_label("Je naam")).to_be_visible()


def test_ending_is_red_with_a_matching_red_confirmation(
    live_server: str, new_context: NewContext
) -> None:
    session = Session(live_server, new_context)
    anna = session.join("Anna")
    page = session.facilitator
    end = console(page).get_by_role("button", name="Sessie beëindigen")
    red = "rgb(164, 22, 26)"
    expect(end).to_have_css("background-color", red)
    end.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("De sessie voor iedereen beëindigen?")
    confirm = dialog.get_by_role("button", name="Sessie beëindigen")
    expect(confirm).to_have_css("background-color", red)
    expect(dialog.get_by_role("button", name="Annuleren")).to_be_focused()
    compose = console(page).get_by_role("link", name="Uitkomst samenstellen")
    expect(compose).to_be_hidden()  # not while the session runs
    confirm.click()
    expect(anna.locator("body")).to_contain_text("afgelopen")
    expect(console(page).locator(".ws-console-phase")).to_have_text("De sessie is afgelopen.")
    expect(end).to_be_disabled()
    # The next step (README, "Running a session", 6) is one tap away; before, the ended cockpit
    # offered nothing, and the way to the outcome went through the session's page.
    expect(compose).to_be_visible()
    expect(compose).to_have_attribute("href", f"/sessies/{session.id}/uitkomst")
    expect(anna.get_by_role("link", name="Uitkomst samenstellen")).to_have_count(0)


def test_the_facilitator_sees_the_harvest_count_go_up_live(
    live_server: str, new_context: NewContext
) -> None:
    """Failed before: the cockpit had no count of harvest answers (and no way to learn it)."""
    session = Session(live_server, new_context, goals=["reflecteren"])
    anna = session.join("Anna")
    session.join("Bram")
    page = session.facilitator
    cockpit = console(page)
    cockpit.get_by_role("button", name="Start de eerste fase").click()
    go_to_last_phase(page)
    count = cockpit.locator(".ws-progress")
    expect(count).to_have_text("Oogst ingevuld: 0 van 2")
    # The harvest is the main action: the tool itself shows the facilitator the count too.
    expect(page.locator(".harvest-count")).to_have_text("Oogst ingevuld: 0 van 2")
    expect(anna.locator(".harvest-count")).to_be_hidden()

    # Only facilitators may ask for the count.
    answer = anna.request.get(f"/s/{session.id}/oogst/voortgang")
    assert answer.status == 403

    anna.get_by_role("link", name="Vul de oogst in").click()
    anna.get_by_role("group", name="Reflecteren").get_by_label("4").check()
    consent = anna.get_by_role("group", name="Mag wat jij hebt ingebracht gedeeld worden")
    consent.get_by_label("Nee").check()
    anna.get_by_role("button", name="Mijn antwoorden opslaan").click()
    expect(anna.get_by_role("status")).to_contain_text("Bedankt!")
    # No reload: the cockpit asks again by itself.
    expect(count).to_have_text("Oogst ingevuld: 1 van 2")
    expect(page.locator(".harvest-count")).to_have_text("Oogst ingevuld: 1 van 2")


def test_the_harvest_is_the_main_action_on_a_phone(
    live_server: str, new_context: NewContext
) -> None:
    session = Session(live_server, new_context)
    anna = session.join("Anna", viewport=PHONE)
    console(session.facilitator).get_by_role("button", name="Start de eerste fase").click()
    go_to_last_phase(session.facilitator)
    link = anna.get_by_role("link", name="Vul de oogst in")
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box is not None
    # Large, and in view without scrolling.
    assert box["width"] >= 280 and box["height"] >= 44, box
    assert box["y"] + box["height"] <= PHONE["height"], box
    no_sideways_scroll(anna)
    anna.screenshot(path=str(SCREENSHOTS / "harvest-phase-participant-360.png"))


def test_the_cockpit_passes_axe_and_fits_a_phone(live_server: str, new_context: NewContext) -> None:
    session = Session(live_server, new_context, variant=VARIANT)
    session.join("Anna")
    page = session.facilitator
    cockpit = console(page)
    cockpit.get_by_role("button", name="Start de eerste fase").click()
    cockpit.get_by_role("button", name="Acties voor Anna").click()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for size, name in ((None, "1280"), (PHONE, "360")):
        if size is not None:
            page.set_viewport_size(size)
        expect(cockpit.locator(".ws-person-menu")).to_be_visible()
        results = Axe().run(page, options=AXE_RULES)
        assert results.violations_count == 0, results.generate_report()
        no_sideways_scroll(page)
        cockpit.screenshot(path=str(SCREENSHOTS / f"cockpit-{name}.png"))
