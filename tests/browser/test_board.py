"""The board in Chromium: cards that never overlap (for anyone, private notes included), themes
drawn as areas with their notes inside, votes as dots that agree with the theme's count,
nothing sticking out, nothing to write once the session has ended, and a quick list on phones."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import NewContext
from tests.browser.test_workspace import Session as WorkspaceSession
from tests.browser.test_workspace_tools import AXE_RULES, PHONE, screenshot

AGENDA = [
    {"name": "Briefjes schrijven", "minutes": 10, "tool": "board"},
    {"name": "Kiezen", "minutes": 5, "tool": "vote"},
    {"name": "Oogst", "minutes": 5, "tool": "harvest"},
]


WRITING_HINT = re.compile("^Schrijf je ideeën op briefjes")


class Session(WorkspaceSession):
    """A session of the demo facilitator whose first phase, the board, has started."""

    viewport: ClassVar[dict[str, int]] = {"width": 1280, "height": 900}

    def __init__(self, live_server: str, new_context: NewContext) -> None:
        super().__init__(live_server, new_context)
        self.send("agenda.set", {"phases": AGENDA})
        self.send("phase.start", {"index": 0})

    def send(self, kind: str, fields: dict[str, Any] | None = None) -> None:
        """A command of the facilitator's, acknowledged by the server."""
        acked = self.facilitator.evaluate(
            "([kind, fields]) => window.werkplaats.send(kind, fields).catch(e => e)",
            [kind, fields or {}],
        )
        assert "seqs" in acked, acked


@pytest.fixture
def session(live_server: str, new_context: NewContext) -> Session:
    return Session(live_server, new_context)


def board(page: Page) -> Locator:
    """The board the page shows now (other tools' panels stay mounted, hidden)."""
    return page.locator(".tool-board").locator("visible=true")


def note(page: Page, text: str) -> Locator:
    return board(page).locator("li.note", has=page.locator(".note-text", has_text=text))


def add_note(page: Page, text: str, private: bool = False) -> None:
    """Type a note and place it (one tap), without waiting for it to arrive."""
    board(page).get_by_label("Nieuw briefje").fill(text)
    if private:
        board(page).get_by_label("Eerst voor mezelf").check()
    board(page).get_by_role("button", name="Briefje plaatsen").click()


def make_theme(page: Page, title: str) -> None:
    board(page).get_by_label("Nieuw thema").fill(title)
    board(page).get_by_role("button", name="Thema maken").click()


def theme_area(page: Page, title: str) -> Locator:
    """A theme drawn on the board: a region named by its title."""
    return board(page).locator(".board-canvas").get_by_role("region", name=title, exact=True)


Box = dict[str, float]


def intersect(a: Box, b: Box) -> bool:
    """Do two boxes share any area (touching edges do not count)?"""
    return (
        a["x"] < b["x"] + b["width"] - 0.5
        and b["x"] < a["x"] + a["width"] - 0.5
        and a["y"] < b["y"] + b["height"] - 0.5
        and b["y"] < a["y"] + a["height"] - 0.5
    )


def inside(inner: Box, outer: Box) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )


def boxes(locator: Locator) -> list[Box]:
    return locator.evaluate_all(
        "els => els.map(el => { const r = el.getBoundingClientRect();"
        " return {x: r.x, y: r.y, width: r.width, height: r.height}; })"
    )


# The buttons of visible cards that the element at their centre is not (covered by something).
COVERED_BUTTONS = """board => {
  const covered = [];
  for (const button of board.querySelectorAll(".board-canvas .note button")) {
    if (button.closest("[hidden]") || button.getClientRects().length === 0) continue;
    button.scrollIntoView({block: "center"});
    const r = button.getBoundingClientRect();
    const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    if (!hit || !(hit === button || button.contains(hit))) {
      covered.push(button.textContent + " of " + button.closest(".note").textContent.slice(0, 40));
    }
  }
  return covered;
}"""


def test_cards_never_overlap_for_anyone_private_notes_included(session: Session) -> None:
    fatima = session.facilitator
    people = [session.join(name) for name in ("Anna", "Bram", "Chris")]
    everyone = [fatima, *people]
    # Everyone writes at once, a private note now and then; nobody waits for the others.
    written: dict[int, list[tuple[str, bool]]] = {i: [] for i in range(len(everyone))}
    for round_ in range(4):
        for i, page in enumerate(everyone):
            text = f"Briefje {round_ + 1} van persoon {i + 1}"
            private = (round_ + i) % 3 == 0
            add_note(page, text, private)
            written[i].append((text, private))
    public = sum(1 for notes in written.values() for _, private in notes if not private)
    for i, page in enumerate(everyone):
        mine_private = sum(1 for _, private in written[i] if private)
        expect(board(page).locator(".board-canvas .note")).to_have_count(public + mine_private)
    for i, page in enumerate(everyone):
        cards = boxes(board(page).locator(".board-canvas .note"))
        overlaps = [(a, b) for n, a in enumerate(cards) for b in cards[n + 1 :] if intersect(a, b)]
        assert not overlaps, f"{len(overlaps)} pairs of cards overlap for viewer {i + 1}"
        canvas = board(page).locator(".board-canvas").bounding_box()
        assert canvas is not None
        assert all(inside(card, canvas) for card in cards), "a card sticks out of the board"
        covered = board(page).evaluate(COVERED_BUTTONS)
        assert not covered, f"covered buttons for viewer {i + 1}: {covered}"
    # After the reveal every card is everyone's, and still none overlaps another.
    board(fatima).get_by_role("button", name="Laat de eigen briefjes zien").click()
    for page in everyone:
        expect(board(page).locator(".board-canvas .note")).to_have_count(16)
        expect(board(page).locator(".note-private")).to_have_count(0)
        cards = boxes(board(page).locator(".board-canvas .note"))
        assert not [(a, b) for n, a in enumerate(cards) for b in cards[n + 1 :] if intersect(a, b)]
        assert not board(page).evaluate(COVERED_BUTTONS)
    screenshot(people[0], "board-many-notes-desktop.png")


def test_themes_are_areas_on_the_board_and_a_card_dragged_onto_one_joins_it(
    session: Session,
) -> None:
    fatima = session.facilitator
    anna = session.join("Anna")
    add_note(anna, "Huisbezoek altijd met z'n tweeën")
    add_note(anna, "Meer tijd voor nazorg")
    make_theme(fatima, "Veiligheid")
    for page in (fatima, anna):
        expect(theme_area(page, "Veiligheid")).to_be_visible()
    # Drag the card by its text onto the theme's area (both on the screen: the area at its top).
    card = note(anna, "Huisbezoek")
    expect(card).to_be_visible()
    theme_area(anna, "Veiligheid").evaluate("el => el.scrollIntoView({block: 'start'})")
    start = card.locator(".note-text").bounding_box()
    target = theme_area(anna, "Veiligheid").bounding_box()
    assert start is not None and target is not None
    anna.mouse.move(start["x"] + 8, start["y"] + 5)
    anna.mouse.down()
    goal_x, goal_y = target["x"] + target["width"] / 2, target["y"] + target["height"] / 2
    for step in range(1, 9):
        anna.mouse.move(
            start["x"] + 8 + (goal_x - start["x"] - 8) * step / 8,
            start["y"] + 5 + (goal_y - start["y"] - 5) * step / 8,
        )
    anna.mouse.up()
    for page in (fatima, anna):
        area = theme_area(page, "Veiligheid")
        expect(area.locator(".note-text")).to_have_text(["Huisbezoek altijd met z'n tweeën"])
        chosen = note(page, "Huisbezoek").get_by_label("Thema").locator("option:checked")
        expect(chosen).to_have_text("Veiligheid")
        card_box = note(page, "Huisbezoek").bounding_box()
        area_box = area.bounding_box()
        assert card_box is not None and area_box is not None
        assert inside(card_box, area_box), "the card is drawn outside its theme"
        other = note(page, "nazorg").bounding_box()
        assert other is not None and not intersect(other, area_box)
    # The keyboard way stays: the theme select takes the other note in as well.
    note(fatima, "nazorg").get_by_label("Thema").select_option(label="Veiligheid")
    expect(theme_area(anna, "Veiligheid").locator(".note")).to_have_count(2)
    screenshot(anna, "board-theme-desktop.png")


def test_a_theme_counts_the_votes_on_its_notes_and_a_card_shows_them_as_dots(
    session: Session,
) -> None:
    fatima = session.facilitator
    anna = session.join("Anna")
    bram = session.join("Bram")
    add_note(anna, "Huisbezoek altijd met z'n tweeën")
    make_theme(fatima, "Veiligheid")
    note(anna, "Huisbezoek").get_by_label("Thema").select_option(label="Veiligheid")
    expect(theme_area(bram, "Veiligheid").locator(".note")).to_have_count(1)
    session.send("voting.open", {"budget": 3, "hidden": False})
    note(anna, "Huisbezoek").get_by_role("button", name="Stem", exact=True).click()
    expect(note(anna, "Huisbezoek").locator(".vote-dot")).to_have_count(1)
    note(bram, "Huisbezoek").get_by_role("button", name="Stem", exact=True).click()
    for page in (fatima, anna, bram):
        card = note(page, "Huisbezoek")
        expect(card.locator(".vote-dot")).to_have_count(2)
        expect(card.locator(".vote-tally")).to_contain_text("Stemmen: 2")
        expect(theme_area(page, "Veiligheid").locator(".theme-votes")).to_have_text("Stemmen: 2")
    screenshot(bram, "board-votes-desktop.png")


def test_nothing_sticks_out_of_a_card_or_the_board(session: Session) -> None:
    fatima = session.facilitator
    anna = session.join("Anna")
    phone = session.join("Bram", PHONE)
    add_note(anna, "Een briefje met een heel lang woord: ketenpartnersoverleggroepen")
    make_theme(fatima, "Samenwerking met een wat langere titel dan gewoonlijk")
    for page in (fatima, anna, phone):
        card = note(page, "ketenpartners")
        select = card.get_by_label("Thema")
        expect(select).to_be_visible()
        card_box, select_box = card.bounding_box(), select.bounding_box()
        assert card_box is not None and select_box is not None
        assert inside(select_box, card_box), "the theme select sticks out of the card"
        everything = boxes(card.locator("*").locator("visible=true"))
        assert all(inside(box, card_box) for box in everything), "something sticks out"
        tool_box = board(page).bounding_box()
        assert tool_box is not None and inside(card_box, tool_box)
    # Neither in the list (a phone's first view) nor on the canvas, a button away.
    for view in ("Lijst", "Vrij bord"):
        board(phone).get_by_role("button", name=view, exact=True).click()
        expect(board(phone).get_by_role("button", name=view, exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{overflow}px of horizontal scroll at 360 px wide ({view})"
        card_box, tool_box = (
            note(phone, "ketenpartners").bounding_box(),
            board(phone).bounding_box(),
        )
        assert card_box is not None and tool_box is not None and inside(card_box, tool_box)


def test_after_the_end_the_board_offers_no_writing(session: Session) -> None:
    anna = session.join("Anna")
    add_note(anna, "Meer tijd voor nazorg")
    expect(note(anna, "nazorg")).to_be_visible()
    expect(board(anna).get_by_text(WRITING_HINT)).to_be_visible()
    session.send("session.end")
    for page in (session.facilitator, anna):
        expect(note(page, "nazorg")).to_be_visible()
        expect(board(page).get_by_text(WRITING_HINT)).to_be_hidden()
        expect(board(page).get_by_label("Nieuw briefje")).to_be_hidden()
        expect(board(page).get_by_label("Nieuw thema")).to_be_hidden()
        expect(board(page).get_by_role("button", name="Briefje plaatsen")).to_be_hidden()


def test_on_a_phone_the_note_field_comes_first_and_a_note_is_one_tap(session: Session) -> None:
    anna = session.join("Anna", PHONE)
    field = board(anna).get_by_label("Nieuw briefje")
    first = board(anna).evaluate(
        "board => { const f = [...board.querySelectorAll('textarea, input, select, button')]"
        ".find(el => el.getClientRects().length > 0); return f && f.labels && f.labels[0]"
        " ? f.labels[0].textContent : null; }"
    )
    assert first == "Nieuw briefje", f"the first field is {first!r}"
    field_box = field.bounding_box()
    assert field_box is not None and field_box["y"] + field_box["height"] < 740
    field.fill("Korte lijnen met de huisarts")
    board(anna).get_by_role("button", name="Briefje plaatsen").click()
    expect(note(session.facilitator, "Korte lijnen")).to_be_visible()
    expect(field).to_have_value("")
    overflow = anna.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow}px of horizontal scroll at 360 px wide"
    screenshot(anna, "board-phone.png")


def test_the_board_has_no_accessibility_violations_at_1280_and_360(session: Session) -> None:
    fatima = session.facilitator
    anna = session.join("Anna")
    add_note(anna, "Huisbezoek altijd met z'n tweeën")
    add_note(anna, "Eerst voor mezelf bedacht", private=True)
    make_theme(fatima, "Veiligheid")
    note(anna, "Huisbezoek").get_by_label("Thema").select_option(label="Veiligheid")
    session.send("voting.open", {"budget": 3, "hidden": False})
    note(anna, "Huisbezoek").get_by_role("button", name="Stem", exact=True).click()
    expect(note(fatima, "Huisbezoek").locator(".vote-dot")).to_have_count(1)
    for width, height in ((1280, 900), (360, 740)):
        for page in (fatima, anna):
            page.set_viewport_size({"width": width, "height": height})
            expect(board(page)).to_be_visible()
            results = Axe().run(page, context=".tool-board", options=AXE_RULES)
            assert not results.response["violations"], results.generate_report()


# Records each card as it starts to arrive, with the animation it has then.
WATCH_ARRIVALS = """() => {
  window.__arrivals = [];
  const seen = new WeakSet();
  new MutationObserver((changes) => {
    for (const change of changes) {
      const el = change.target;
      if (el.classList.contains("note-revealed") && !seen.has(el)) {
        seen.add(el);
        window.__arrivals.push(getComputedStyle(el).animationName);
      }
    }
  }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ["class"]});
}"""


def arrivals(page: Page) -> list[str]:
    """The animations of the cards that arrived since WATCH_ARRIVALS, once there is one."""
    for _ in range(100):
        seen: list[str] = page.evaluate("window.__arrivals")
        if seen:
            return seen
        page.wait_for_timeout(100)
    return []


def test_the_reveal_is_calm_and_still_without_motion(
    session: Session, new_context: NewContext
) -> None:
    fatima = session.facilitator
    anna = session.join("Anna")
    still = new_context({"width": 1280, "height": 900})
    bram = session.join("Bram", context=still)
    bram.emulate_media(reduced_motion="reduce")
    add_note(anna, "Eerst voor mezelf bedacht", private=True)
    expect(note(anna, "mezelf")).to_be_visible()
    for page in (fatima, anna, bram):
        page.evaluate(WATCH_ARRIVALS)
    session.send("notes.reveal")
    for page in (fatima, bram):
        expect(note(page, "mezelf")).to_be_visible()
    # The card arrives with a calm animation; for who asked for less motion, it just appears.
    assert arrivals(fatima) == ["note-reveal"]
    assert arrivals(anna) == ["note-reveal"]
    assert arrivals(bram) == ["none"]


# arrange.js on many boards of random cards: no two cards overlap, a card that fits where it
# wishes stays there, the cards before a new one keep their places, and the same cards give
# the same places.
ARRANGE_PROPERTIES = """async () => {
  const { arrange, GAP } = await import("/static/workspace/tools/board/arrange.js");
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const problems = [];
  for (let round = 0; round < 150; round += 1) {
    const width = 300 + Math.floor(random() * 900);
    const cards = [];
    for (let i = 0; i < 1 + Math.floor(random() * 40); i += 1) {
      const cardWidth = Math.min(width, 150 + Math.floor(random() * 60));
      cards.push({ id: `n${i}`, width: cardWidth, height: 80 + Math.floor(random() * 160),
        left: random() * (width - cardWidth), top: random() * 500 });
    }
    const { places } = arrange(cards, width);
    const boxes = cards.map((c) => ({ ...c, ...places.get(c.id) }));
    const meet = (a, b) => a.left < b.left + b.width && b.left < a.left + a.width
      && a.top < b.top + b.height && b.top < a.top + a.height;
    boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
      if (meet(a, b)) problems.push(`overlap ${round}`);
    }));
    if (boxes.some((b) => b.left < 0 || b.left + b.width > width + 0.01 || b.top < 0)) {
      problems.push(`outside ${round}`);
    }
    const first = boxes[0];
    const wished = Math.min(width - first.width, Math.max(0, cards[0].left));
    if (first.left !== wished || first.top !== cards[0].top) {
      problems.push(`the first card moved ${round}`);
    }
    const fewer = arrange(cards.slice(0, -1), width).places;
    for (const [id, spot] of fewer) {
      const now = places.get(id);
      if (now.left !== spot.left || now.top !== spot.top) {
        problems.push(`an earlier card moved: ${id} ${round}`);
      }
    }
    const again = arrange(cards, width).places;
    for (const [id, spot] of again) {
      const before = places.get(id);
      if (before.left !== spot.left || before.top !== spot.top) problems.push(`differs ${round}`);
    }
  }
  return problems;
}"""


def test_arranged_cards_never_overlap_and_earlier_cards_stay(page: Page) -> None:
    page.goto("/")
    assert page.evaluate(ARRANGE_PROPERTIES) == []
