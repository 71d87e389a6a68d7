"""The workspace tools in Chromium: a facilitator and three participants (one in the room, two
remote, in separate browser contexts) run a short intervisie together, and everyone sees the same
result; and the board and the chart work by keyboard alone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import NewContext
from tests.browser.test_workspace import Session as WorkspaceSession
from tests.browser.test_workspace import connected

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
PHONE = {"width": 360, "height": 740}
AXE_RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}

# A short intervisie with every tool (the facilitator sets it as the agenda).
AGENDA = [
    {"name": "Opening", "minutes": 5, "tool": "round"},
    {"name": "Vragen inbrengen", "minutes": 10, "tool": "board"},
    {"name": "Kiezen", "minutes": 5, "tool": "vote"},
    {"name": "Waar staan we?", "minutes": 5, "tool": "position-chart"},
    {"name": "In groepjes", "minutes": 10, "tool": "breakout"},
    {"name": "Oogst", "minutes": 5, "tool": "harvest"},
]


class Session(WorkspaceSession):
    """A hybrid session of the demo facilitator, with this test's agenda."""

    viewport: ClassVar[dict[str, int]] = {"width": 1280, "height": 900}

    def __init__(self, live_server: str, new_context: NewContext) -> None:
        super().__init__(live_server, new_context, modality="hybrid", capacity=10)
        acked = self.facilitator.evaluate(
            "phases => window.werkplaats.send('agenda.set', {phases})", AGENDA
        )
        assert acked["seqs"], acked

    def join(  # a hybrid session: everyone says where they are
        self, name: str, location: str, viewport: dict[str, int] | None = None
    ) -> Page:
        return super().join(name, viewport, location=location)

    def next_phase(self, name: str, pages: list[Page]) -> None:
        console = self.facilitator.locator(".ws-console")
        console.get_by_role(
            "button", name=re.compile("^(Start de eerste fase|Volgende fase)$")
        ).click()
        for page in pages:
            expect(page.locator(".ws-phase-name")).to_contain_text(name)


def tool(page: Page) -> Locator:
    """The tool panel the page shows now (the others stay mounted, hidden)."""
    return page.locator(".ws-panels > .ws-tool:not([hidden])")


def note(page: Page, text: str) -> Locator:
    return tool(page).locator("li.note", has=page.locator(".note-text", has_text=text))


def cluster(page: Page, title: str) -> Locator:
    title_locator = page.locator(".cluster-title", has_text=title)
    return tool(page).locator("section.cluster[data-cluster]", has=title_locator)


def texts(locator: Locator) -> list[str]:
    return sorted(t.strip() for t in locator.all_inner_texts())


def announced(page: Page) -> Locator:
    return page.locator("#ws-live-polite")


def quarter(page: Page, name: str) -> Locator:
    """The counts (now, desired) in one quarter of the chart's text alternative."""
    row = tool(page).locator(
        ".chart-table tr", has=page.get_by_role("rowheader", name=name, exact=True)
    )
    return row.locator("td")


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


@pytest.fixture
def session(live_server: str, new_context: NewContext) -> Session:
    return Session(live_server, new_context)


def test_a_short_hybrid_intervisie_with_every_tool_ends_the_same_for_everyone(
    session: Session,
) -> None:
    fatima = session.facilitator
    anna = session.join("Anna", "room")
    bram = session.join("Bram", "remote", PHONE)
    chris = session.join("Chris", "remote")
    everyone = [fatima, anna, bram, chris]

    # Round: everyone in join order; the speaker hears it is their turn and may pass.
    session.next_phase("Opening", everyone)
    tool(fatima).get_by_role("button", name="Rondje starten met iedereen").click()
    for page in everyone:
        expect(tool(page).locator(".round-order li")).to_have_count(4)
    expect(tool(fatima).locator(".round-status")).to_contain_text("Jij bent aan de beurt")
    expect(tool(anna).locator(".round-status")).to_have_text("Nu aan de beurt: Fatima Facilitator")
    tool(fatima).get_by_role("button", name="Volgende spreker").click()
    expect(announced(anna)).to_contain_text("Jij bent aan de beurt.")
    expect(announced(bram)).to_contain_text("Nu aan de beurt: Anna")
    tool(anna).get_by_role("button", name="Ik pas").click()
    expect(tool(bram).locator(".round-status")).to_contain_text("Jij bent aan de beurt")
    expect(tool(anna).get_by_role("button", name="Ik pas")).to_be_hidden()
    tool(fatima).get_by_role("button", name="Volgende spreker").click()
    expect(tool(chris).locator(".round-current")).to_contain_text("Chris")
    tool(fatima).get_by_role("button", name="Volgende spreker").click()
    for page in everyone:
        expect(tool(page).locator(".round-status")).to_have_text("Het rondje is klaar.")
        expect(tool(page).locator(".round-passed")).to_have_text(re.compile("Anna.*heeft gepast"))

    screenshot(fatima, "tools-round-desktop.png")

    # Board: a private note first, a public one, an anonymous one; then the reveal.
    session.next_phase("Vragen inbrengen", everyone)
    board = tool(anna)
    board.get_by_label("Nieuw briefje").fill("Mag ik zonder toestemming binnenlopen?")
    board.get_by_label("Eerst voor mezelf").check()
    board.get_by_role("button", name="Briefje plaatsen").click()
    private = note(anna, "zonder toestemming")
    expect(private.locator(".note-badge")).to_have_text("Alleen jij ziet dit")
    expect(board.get_by_label("Nieuw briefje")).to_have_value("")
    tool(bram).get_by_label("Nieuw briefje").fill("Huisbezoek altijd met z'n tweeën")
    tool(bram).get_by_role("button", name="Briefje plaatsen").click()
    tool(chris).get_by_label("Nieuw briefje").fill("Meer tijd voor nazorg")
    tool(chris).get_by_label("Zonder mijn naam").check()
    tool(chris).get_by_role("button", name="Briefje plaatsen").click()
    for page in (fatima, bram, chris):
        expect(tool(page).locator(".note-text")).to_have_count(2)
        expect(note(page, "zonder toestemming")).to_have_count(0)
    expect(note(fatima, "nazorg")).to_contain_text("Anoniem")
    expect(note(fatima, "Huisbezoek")).to_contain_text("Bram")
    tool(fatima).get_by_role("button", name="Laat de eigen briefjes zien").click()
    for page in everyone:
        expect(tool(page).locator(".note-text")).to_have_count(3)
    expect(note(chris, "zonder toestemming")).to_contain_text("Anna")
    expect(private.locator(".note-badge")).to_be_hidden()

    # Fatima drags Bram's note on the free part of the canvas; Chris sees it move while she drags.
    dragged = note(fatima, "Huisbezoek")
    before = dragged.get_attribute("data-x")
    dragged.scroll_into_view_if_needed()
    start = dragged.locator(".note-text").bounding_box()
    assert start is not None
    # Towards the middle of the board (a card at its edge cannot go further out).
    sideways = 30 if float(before or "0") < 0.5 else -30
    fatima.mouse.move(start["x"] + 10, start["y"] + 5)
    fatima.mouse.down()
    for step in range(1, 6):
        fatima.mouse.move(start["x"] + 10 + sideways * step, start["y"] + 5 + 20 * step)
        fatima.wait_for_timeout(60)
    expect(note(chris, "Huisbezoek")).to_have_class(re.compile("note-moving"))
    fatima.mouse.up()
    expect(note(chris, "Huisbezoek")).not_to_have_attribute("data-x", before or "")
    expect(note(bram, "Huisbezoek")).to_have_attribute(
        "data-x", dragged.get_attribute("data-x") or ""
    )
    # A cluster, and Bram (on his phone: a list by cluster) puts his note in it; on
    # the canvas it is drawn inside the theme's area.
    tool(fatima).get_by_label("Nieuw thema").fill("Veiligheid")
    tool(fatima).get_by_role("button", name="Thema maken").click()
    note(bram, "Huisbezoek").get_by_label("Thema").select_option(label="Veiligheid")
    expect(cluster(bram, "Veiligheid")).to_contain_text("Huisbezoek")
    expect(note(anna, "Huisbezoek").get_by_label("Thema")).to_have_value(re.compile(".+"))
    screenshot(bram, "tools-board-phone.png")
    screenshot(anna, "tools-board-desktop.png")
    # On a wide screen the canvas is shown first; the list view is one button away.
    for page in (anna, chris):
        tool(page).get_by_role("button", name="Lijst").click()
        expect(cluster(page, "Veiligheid")).to_contain_text("Huisbezoek")

    # Vote: hidden until revealed; each sees only their own votes meanwhile.
    session.next_phase("Kiezen", everyone)
    vote = tool(fatima)
    vote.get_by_label("Stemmen per persoon").fill("2")
    vote.get_by_label("Houd de stemmen geheim").check()
    vote.get_by_role("button", name="Stemmen openen").click()
    for page in everyone:
        expect(tool(page).locator(".voting-status")).to_contain_text("nog 2 van je 2 stemmen")
    note(anna, "Huisbezoek").locator(".vote-add").click()
    expect(note(anna, "Huisbezoek").locator(".vote-tally")).to_have_text("Jouw stemmen: 1")
    cluster(anna, "Veiligheid").locator(".cluster-head .vote-add").click()
    note(bram, "zonder toestemming").locator(".vote-add").click()
    note(chris, "Huisbezoek").locator(".vote-add").click()
    expect(note(chris, "Huisbezoek").locator(".vote-tally")).to_have_text("Jouw stemmen: 1")
    note(chris, "Huisbezoek").locator(".vote-add").click()
    expect(tool(chris).locator(".voting-status")).to_contain_text("nog 0 van je 2 stemmen")
    expect(note(chris, "Huisbezoek").locator(".vote-add")).to_be_disabled()
    expect(note(bram, "Huisbezoek").locator(".vote-tally")).to_have_text("Jouw stemmen: 0")
    expect(tool(bram).locator(".results li")).to_have_count(0)
    tool(fatima).get_by_role("button", name="Stemmen sluiten").click()
    tool(fatima).get_by_role("button", name="Laat de stemmen zien").click()
    shown = []
    for page in everyone:
        rows = tool(page).locator(".results li")
        expect(rows).to_have_count(3)
        expect(rows.first).to_contain_text("Huisbezoek")
        expect(note(page, "Huisbezoek").locator(".vote-tally")).to_contain_text("Stemmen: 3")
        labels = rows.locator(".result-label").all_inner_texts()
        counts = rows.locator(".result-count").all_inner_texts()
        shown.append(list(zip(labels, counts, strict=True)))
    assert all(result == shown[0] for result in shown), shown
    screenshot(fatima, "tools-vote-results-desktop.png")
    assert shown[0] == [
        ("Huisbezoek altijd met z'n tweeën", "Stemmen: 3"),
        ("Mag ik zonder toestemming binnenlopen?", "Stemmen: 1"),
        ("Thema: Veiligheid", "Stemmen: 1"),
    ]

    # Positioning chart: Anna by keyboard, Bram by tapping, Chris by clicking; then the reveal.
    session.next_phase("Waar staan we?", everyone)
    surface = tool(anna).locator(".chart-surface")
    surface.focus()
    for key in ("ArrowLeft", "ArrowLeft", "ArrowUp", "Enter"):
        anna.keyboard.press(key)
    expect(tool(anna).locator(".chart-my-markers")).to_contain_text("Nu: 40% naar collectief")
    expect(tool(anna).get_by_label("Gewenst")).to_be_checked()
    for key in ("ArrowRight", "ArrowRight", "ArrowRight", "ArrowRight", "Enter"):
        anna.keyboard.press(key)
    expect(tool(anna).locator(".chart-my-markers")).to_contain_text("Gewenst: 60% naar collectief")
    expect(tool(anna).locator(".chart-person-arrow.is-mine line")).to_have_count(1)
    box = tool(bram).locator(".chart-svg").bounding_box()
    assert box is not None
    tool(bram).locator(".chart-surface").click(
        position={"x": box["width"] * 0.2, "y": box["height"] * 0.8}
    )
    expect(tool(bram).locator(".chart-marker")).to_have_count(1)
    tool(chris).locator(".chart-surface").click(position={"x": 300, "y": 100})
    tool(chris).get_by_label("Gewenst").check()
    tool(chris).locator(".chart-surface").click(position={"x": 320, "y": 80})
    expect(tool(chris).locator(".chart-marker")).to_have_count(2)
    expect(tool(fatima).locator(".chart-marker")).to_have_count(0)
    tool(fatima).get_by_role("button", name="Laat alle stippen zien").click()
    tables = []
    for page in everyone:
        expect(tool(page).locator(".chart-marker")).to_have_count(5)
        # One arrow per person who placed both markers: Anna and Chris, not Bram.
        expect(tool(page).locator(".chart-person-arrow")).to_have_count(2)
        table = tool(page).locator(".chart-table")
        expect(table).to_be_visible()
        tables.append(table.inner_text())
    assert len(set(tables)) == 1, tables
    screenshot(anna, "tools-chart-desktop.png")
    screenshot(bram, "tools-chart-phone.png")
    expect(quarter(fatima, "informeel · collectief")).to_have_text(["1", "2"])
    expect(quarter(fatima, "informeel · individueel")).to_have_text(["1", "0"])
    expect(quarter(fatima, "formeel · individueel")).to_have_text(["1", "0"])

    # Breakout groups of two: each sees their group, the message, and works on its board.
    session.next_phase("In groepjes", everyone)
    breakouts = tool(fatima)
    breakouts.get_by_label("Mensen per groepje").fill("2")
    breakouts.get_by_role("button", name="Groepjes maken").click()
    for page in (anna, bram, chris):
        expect(tool(page).locator(".breakout-status")).to_contain_text(
            re.compile(r"Je zit in Groep \d")
        )
    expect(tool(fatima).locator(".breakout-group")).to_have_count(2)
    breakouts.get_by_label("Bericht aan alle groepjes").fill("Nog vijf minuten")
    breakouts.get_by_role("button", name="Stuur naar alle groepjes").click()
    for page in (anna, bram, chris):
        expect(tool(page).locator(".breakout-messages")).to_contain_text("Nog vijf minuten")
    group = tool(anna).locator(".breakout-status").inner_text().split("Je zit in ")[1].rstrip(".")
    expect(tool(anna).locator(".board-heading")).to_have_text(f"Bord van {group}")
    expect(tool(anna).locator(".note-text")).to_have_count(0)
    tool(anna).get_by_label("Nieuw briefje").fill("Samen oefenen met moeilijke gesprekken")
    tool(anna).get_by_role("button", name="Briefje plaatsen").click()
    expect(note(anna, "Samen oefenen")).to_be_visible()
    screenshot(bram, "tools-breakouts-phone.png")
    breakouts.get_by_role("button", name="Iedereen terughalen").click()
    for page in (anna, bram, chris):
        expect(tool(page).locator(".breakout-status")).to_have_text("Iedereen is weer samen.")

    # Harvest: the plenary board with the group's board after it, and the chart, alike for all.
    session.next_phase("Oogst", everyone)
    boards = []
    for page in everyone:
        harvest = tool(page)
        expect(harvest.locator(".note-text")).to_have_count(4)
        expect(harvest.locator(".group-board")).to_contain_text(group)
        expect(harvest.locator(".group-board")).to_contain_text("Samen oefenen")
        boards.append(
            (
                texts(harvest.locator(".tool-board > .board-surface .note-text")),
                texts(harvest.locator(".group-board .note-text")),
                harvest.locator(".chart-table").inner_text(),
            )
        )
    assert all(b == boards[0] for b in boards), boards
    assert boards[0][0] == sorted(
        [
            "Huisbezoek altijd met z'n tweeën",
            "Mag ik zonder toestemming binnenlopen?",
            "Meer tijd voor nazorg",
        ]
    )


def test_a_note_is_moved_and_a_marker_placed_by_keyboard_alone(session: Session) -> None:
    fatima = session.facilitator
    dirk = session.join("Dirk", "remote")
    session.next_phase("Opening", [fatima, dirk])
    session.next_phase("Vragen inbrengen", [fatima, dirk])

    # Write a note: Tab into the text, type, Enter on the button; all from the keyboard.
    tool(dirk).get_by_label("Nieuw briefje").focus()
    dirk.keyboard.type("Korte lijnen met de huisarts")
    tool(dirk).get_by_role("button", name="Briefje plaatsen").focus()
    dirk.keyboard.press("Enter")
    moved = note(fatima, "Korte lijnen")
    expect(moved).to_be_visible()
    x = float(moved.get_attribute("data-x") or "nan")
    y = float(moved.get_attribute("data-y") or "nan")

    # The canvas (wide screen): "Verplaats" takes the arrow keys; the others see the new place.
    expect(tool(dirk).get_by_role("button", name="Vrij bord")).to_have_attribute(
        "aria-pressed", "true"
    )
    note(dirk, "Korte lijnen").get_by_role("button", name="Verplaats").focus()
    for key in ("ArrowRight", "ArrowRight", "ArrowRight", "Shift+ArrowDown"):
        dirk.keyboard.press(key)
    expect(moved).to_have_attribute("data-x", f"{min(1.0, round(x + 0.06, 3)):g}")
    expect(moved).to_have_attribute("data-y", f"{min(1.0, round(y + 0.1, 3)):g}")

    # The list view is one key press away, and shows the same note.
    tool(dirk).get_by_role("button", name="Lijst").focus()
    dirk.keyboard.press("Enter")
    expect(tool(dirk).get_by_role("button", name="Lijst")).to_have_attribute("aria-pressed", "true")
    expect(tool(dirk).locator(".board-sections .note-text")).to_have_text(
        ["Korte lijnen met de huisarts"]
    )

    # Change the note and take it away, by keyboard too.
    note(dirk, "Korte lijnen").get_by_role("button", name="Bewerken").focus()
    dirk.keyboard.press("Enter")
    expect(tool(dirk).get_by_label("Verander het briefje")).to_be_focused()
    dirk.keyboard.press("Control+A")
    dirk.keyboard.type("Korte lijnen met de wijkverpleging")
    dirk.keyboard.press("Tab")
    dirk.keyboard.press("Enter")
    expect(note(fatima, "wijkverpleging")).to_be_visible()
    note(dirk, "wijkverpleging").get_by_role("button", name="Weghalen").focus()
    dirk.keyboard.press("Enter")
    expect(tool(fatima).locator(".note-text")).to_have_count(0)

    # The chart: focus it, arrow keys choose a spot, Enter places; Space places the other one.
    session.next_phase("Kiezen", [fatima, dirk])
    session.next_phase("Waar staan we?", [fatima, dirk])
    tool(dirk).locator(".chart-surface").focus()
    for key in ("ArrowRight", "ArrowRight", "ArrowDown", "Enter"):
        dirk.keyboard.press(key)
    mine = tool(dirk).locator(".chart-my-markers")
    expect(mine).to_contain_text("Nu: 60% naar collectief, 45% naar informeel")
    expect(tool(dirk).get_by_label("Gewenst")).to_be_checked()
    for key in ("Shift+ArrowUp", " "):
        dirk.keyboard.press(key)
    expect(mine).to_contain_text("Gewenst: 60% naar collectief, 65% naar informeel")
    tool(fatima).get_by_role("button", name="Laat alle stippen zien").click()
    expect(quarter(fatima, "formeel · collectief")).to_have_text(["1", "0"])
    expect(quarter(fatima, "informeel · collectief")).to_have_text(["0", "1"])


def test_every_tool_with_content_has_no_accessibility_violations(session: Session) -> None:
    fatima = session.facilitator
    eva = session.join("Eva", "room", PHONE)
    session.join("Femke", "remote")  # a second participant, so that there are two groups

    def check(page: Page, what: str) -> None:
        results = Axe().run(page, options=AXE_RULES)
        assert results.violations_count == 0, f"{what}: {results.generate_report()}"

    session.next_phase("Opening", [fatima, eva])
    tool(fatima).get_by_role("button", name="Rondje starten met iedereen").click()
    tool(fatima).get_by_role("button", name="Volgende spreker").click()
    expect(tool(eva).get_by_role("button", name="Ik pas")).to_be_visible()
    tool(fatima).get_by_text("Kies wie er praat").click()
    check(fatima, "round, facilitator")
    check(eva, "round, participant")

    session.next_phase("Vragen inbrengen", [fatima, eva])
    tool(eva).get_by_label("Nieuw briefje").fill("Een briefje voor mezelf")
    tool(eva).get_by_label("Eerst voor mezelf").check()
    tool(eva).get_by_role("button", name="Briefje plaatsen").click()
    tool(fatima).get_by_label("Nieuw briefje").fill("Een briefje van de begeleider")
    tool(fatima).get_by_role("button", name="Briefje plaatsen").click()
    tool(fatima).get_by_label("Nieuw thema").fill("Samenwerken")
    tool(fatima).get_by_role("button", name="Thema maken").click()
    expect(note(eva, "van de begeleider").get_by_label("Thema")).to_be_visible()
    note(fatima, "van de begeleider").get_by_role("button", name="Bewerken").click()
    check(fatima, "board, facilitator, editing a note")
    check(eva, "board, participant")

    session.next_phase("Kiezen", [fatima, eva])
    tool(fatima).get_by_role("button", name="Stemmen openen").click()
    note(eva, "van de begeleider").locator(".vote-add").click()
    expect(tool(fatima).locator(".results li")).to_have_count(1)
    check(fatima, "vote, facilitator")
    check(eva, "vote, participant")

    session.next_phase("Waar staan we?", [fatima, eva])
    tool(fatima).get_by_label("Boven (staande as)").fill("samen met bewoners")
    tool(fatima).get_by_role("button", name="Assen opslaan").click()
    expect(tool(eva).locator(".chart-label").first).to_be_attached()
    expect(tool(eva).locator(".chart-label", has_text="samen met bewoners")).to_have_count(1)
    tool(eva).locator(".chart-surface").click(position={"x": 60, "y": 60})
    tool(fatima).get_by_role("button", name="Laat alle stippen zien").click()
    expect(tool(eva).locator(".chart-table")).to_be_visible()
    check(fatima, "chart, facilitator")
    check(eva, "chart, participant")

    session.next_phase("In groepjes", [fatima, eva])
    tool(fatima).get_by_label("Hoe maak je de groepjes?").select_option("choice")
    tool(fatima).get_by_role("button", name="Groepjes maken").click()
    tool(eva).get_by_role("button", name="Naar dit groepje").first.click()
    expect(tool(eva).locator(".breakout-status")).to_contain_text("Je zit in Groep")
    tool(fatima).get_by_label("Bericht aan alle groepjes").fill("Nog vijf minuten")
    tool(fatima).get_by_role("button", name="Stuur naar alle groepjes").click()
    expect(tool(eva).locator(".breakout-messages")).to_contain_text("Nog vijf minuten")
    check(fatima, "breakouts, facilitator")
    check(eva, "breakouts, participant")


def test_a_typed_note_survives_a_reload_and_going_offline_and_is_cleared_after_the_ack(
    session: Session,
) -> None:
    fatima = session.facilitator
    gijs = session.join("Gijs", "remote", PHONE)
    session.next_phase("Opening", [fatima, gijs])
    session.next_phase("Vragen inbrengen", [fatima, gijs])
    text = tool(gijs).get_by_label("Nieuw briefje")
    text.fill("Wie belt de school?")
    gijs.reload()
    connected(gijs)
    expect(tool(gijs).get_by_label("Nieuw briefje")).to_have_value("Wie belt de school?")

    gijs.context.set_offline(True)
    expect(gijs.locator(".ws-conn")).not_to_have_attribute("data-status", "connected")
    tool(gijs).get_by_role("button", name="Briefje plaatsen").click()
    gijs.wait_for_timeout(300)
    expect(tool(gijs).get_by_label("Nieuw briefje")).to_have_value("Wie belt de school?")
    expect(tool(fatima).locator(".note-text")).to_have_count(0)

    gijs.context.set_offline(False)
    expect(tool(fatima).locator(".note-text")).to_have_text(["Wie belt de school?"])
    expect(tool(gijs).get_by_label("Nieuw briefje")).to_have_value("")
    gijs.reload()
    connected(gijs)
    expect(tool(gijs).get_by_label("Nieuw briefje")).to_have_value("")
    expect(tool(gijs).locator(".note-text")).to_have_text(["Wie belt de school?"])
