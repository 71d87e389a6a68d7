"""A video room per breakout group, in Chromium: in a session on a Jitsi link each group's
members follow their own group's room (random, not derivable from the session's link, never sent
to the other groups), a facilitator sees and changes every group's room, and after the call-back
everyone follows the session's link again."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import NewContext
from tests.browser.test_workspace import Session
from tests.browser.test_workspace_tools import tool

PLENARY = "https://meet.jit.si/werkplaats-intervisie"
# A group's room: the plenary room's name, a hyphen and 20 random lower-case letters and digits.
GROUP_ROOM = re.compile(re.escape(PLENARY) + r"-([a-z0-9]{20})$")
AGENDA = [
    {"name": "In groepjes", "minutes": 10, "tool": "breakout"},
    {"name": "Oogst", "minutes": 5, "tool": "harvest"},
]


def video_button(page: Page) -> str | None:
    return page.locator(".ws-video").get_attribute("href")


def group_of(page: Page) -> str:
    status = tool(page).locator(".breakout-status")
    expect(status).to_contain_text(re.compile(r"Je zit in Groep \d"))
    return status.inner_text().split("Je zit in ")[1].rstrip(".")


def test_each_group_follows_its_own_unguessable_room_and_everyone_the_plenary_link_after(
    live_server: str, new_context: NewContext
) -> None:
    session = Session(live_server, new_context, modality="online", video_url=PLENARY)
    fatima = session.facilitator
    acked = fatima.evaluate("phases => window.werkplaats.send('agenda.set', {phases})", AGENDA)
    assert acked["seqs"], acked
    people = [session.join(name) for name in ("Anna", "Bram", "Chris")]
    everyone = [fatima, *people]
    for page in everyone:
        expect(page.locator(".ws-video")).to_have_text("Naar het videogesprek")
        assert video_button(page) == PLENARY

    # Two groups (of two and one): the box for a room per group is ticked on a meet.jit.si link.
    fatima.locator(".ws-console").get_by_role("button", name="Start de eerste fase").click()
    breakouts = tool(fatima)
    rooms_box = breakouts.get_by_label("Elk groepje krijgt een eigen Jitsi-videoruimte")
    expect(rooms_box).to_be_checked()
    breakouts.get_by_label("Mensen per groepje").fill("2")
    breakouts.get_by_role("button", name="Groepjes maken").click()

    rooms: dict[str, str] = {}  # group -> its room, as its members' pages show it
    for page in people:
        group = group_of(page)
        expect(page.locator(".ws-video")).to_have_text("Jullie videoruimte")
        expect(page.locator(".ws-video")).to_have_attribute("href", GROUP_ROOM)
        link = video_button(page)
        assert link is not None
        assert rooms.setdefault(group, link) == link  # the same room for the same group
        mine = tool(page).locator(".breakout-mine .breakout-room")
        expect(mine).to_have_text("Jullie videoruimte")
        expect(mine).to_have_attribute("href", link)
    assert len(rooms) == 2
    (group_a, room_a), (group_b, room_b) = sorted(rooms.items())
    suffixes = {GROUP_ROOM.fullmatch(room).group(1) for room in rooms.values()}  # type: ignore[union-attr]
    assert len(suffixes) == 2  # distinct rooms, neither derivable from the other

    # No page of a group holds the other group's room: not in the page, not in its state.
    for page in people:
        other = room_b if group_of(page) == group_a else room_a
        assert other not in page.content()
        assert other not in page.evaluate("JSON.stringify(window.werkplaats.state)")

    # The facilitator sees every group's room, and gives one group a BigBlueButton room.
    for group, room in rooms.items():
        card = breakouts.locator(".breakout-group", has_text=group)
        expect(card.locator(".breakout-room")).to_have_text(room)
    bbb = "https://bbb.example.nl/b/wer-k3x-9zq"
    card_b = breakouts.locator(".breakout-group", has_text=group_b)
    card_b.get_by_label("Videolink voor dit groepje").fill(bbb)
    card_b.get_by_role("button", name="Link opslaan").click()
    expect(card_b.locator(".breakout-room")).to_have_text(bbb)
    for page in people:
        expected = bbb if group_of(page) == group_b else room_a
        expect(page.locator(".ws-video")).to_have_attribute("href", expected)
        if expected == room_a:
            assert bbb not in page.content()

    # Called back: everyone follows the session's link again.
    breakouts.get_by_role("button", name="Iedereen terughalen").click()
    for page in everyone:
        expect(page.locator(".ws-video")).to_have_text("Naar het videogesprek")
        expect(page.locator(".ws-video")).to_have_attribute("href", PLENARY)
    for page in people:
        expect(tool(page).locator(".breakout-room:not([hidden])")).to_have_count(0)
