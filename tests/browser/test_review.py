"""Terugblik (sessions/tools/review.py, sessions/client/tools/review.js): a group's next session
looks back at the open actions; owners mark theirs done or carry them over. Its rules through
decide() and the fold; then in Chromium, over a real server, an owner marks an action done and
another carries one over, and the next opening (sessions/groups/review.review_opening) leaves
the done one out and brings the carried one back with its new date."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlalchemy import select

from server.db import create_engine, sessionmaker
from server.models import User
from sessions import commands as c
from sessions import events as ev
from sessions.actions import SessionSetup, create_session
from sessions.decide import Refused
from sessions.engine import SessionEngine
from sessions.groups import actions as group_actions
from sessions.groups.review import (
    ActionRow,
    member_linked,
    replace_session_actions,
    review_opening,
    with_review_phase,
)
from sessions.tokens import make_token
from tests.browser.conftest import LiveSite, NewContext, log_in
from tests.browser.test_words import _in_thread
from tests.browser.test_workspace import PHONE, connected
from tests.sessions.test_state import Session

AXE_RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
ITEMS = (
    ev.ReviewItem("a1", "Bel de wijkcoach", "m1", "Anna", "2027-01-31"),
    ev.ReviewItem("a2", "Agenda rondsturen", "m2", "Bram"),
    ev.ReviewItem("a3", "Zaal reserveren"),  # the group's own
)


def _reviewing() -> Session:
    """test_state's session with three actions loaded, p1 member m1 and p2 member m2."""
    s = Session()
    s._append(None, ev.ReviewOpened(ITEMS))
    s._append(None, ev.MemberLinked("p1", "m1"))
    s._append(None, ev.MemberLinked("p2", "m2"))
    return s


def _refused(s: Session, actor: str, command: c.Command) -> str:
    with pytest.raises(Refused) as refused:
        s.do(actor, command)
    return refused.value.code


def test_owners_change_their_own_actions_anyone_the_group_s_and_facilitators_all() -> None:
    s = _reviewing()
    assert [a.status for a in s.state.review.actions] == ["open", "open", "open"]
    assert _refused(s, "p2", c.MarkActionDone(id="x1", action="a1")) == "not_your_action"
    assert _refused(s, "p3", c.CarryAction(id="x2", action="a1")) == "not_your_action"
    assert _refused(s, "ob", c.MarkActionDone(id="x3", action="a3")) == "forbidden"
    assert _refused(s, "p1", c.MarkActionDone(id="x4", action="a9")) == "unknown_action"
    s.do("p1", c.MarkActionDone(id="d1", action="a1"))
    assert _refused(s, "p1", c.MarkActionDone(id="d1b", action="a1")) == "already_done"
    s.do("p3", c.CarryAction(id="k3", action="a3"))  # not a member, but it is the group's
    s.do("fa", c.CarryAction(id="k2", action="a2", due=dt.date(2027, 3, 1)))
    review = s.state.review
    assert [(a.id, a.status, a.due) for a in review.actions] == [
        ("a1", "done", "2027-01-31"),
        ("a2", "carried", "2027-03-01"),
        ("a3", "carried", None),
    ]
    assert review.links == {"p1": "m1", "p2": "m2"}
    s.do("fa", c.EndSession(id="end"))
    assert _refused(s, "p2", c.MarkActionDone(id="late", action="a2")) == "session_ended"


def test_a_carried_date_must_be_a_date() -> None:
    with pytest.raises(Exception, match="date"):
        c.decode(b'{"type": "action.carry", "id": "x", "action": "a1", "due": "morgen"}')


async def _prepare(site: LiveSite) -> tuple[str, str, str, int]:
    """A group whose first session agreed three actions (Anna's, Bram's, the group's), and its
    second session made as the group's start will make it: with the terugblik first, the open
    actions loaded, Anna and Bram joined and linked. Made in this process before the server
    reads it (the server loads a session from the log when it is first asked for)."""
    engine = create_engine(site.database_url.replace("sqlite:", "sqlite+aiosqlite:", 1))
    db = sessionmaker(engine)
    live = SessionEngine(db)
    await live.start()
    try:
        async with db() as session:
            user = await session.scalar(
                select(User).where(User.email == "facilitator@werkplaats.example")
            )
            assert user is not None
        setup = SessionSetup(
            "Traject Oost 1",
            (ev.AgendaPhase("Casus", 30, "round"),),
            (),
            "online",
            None,
            4,
            False,
            False,
            None,
        )
        first = await create_session(db, live, setup, user.id, user.name)
        async with db() as session:
            group = await group_actions.create_group(session, "Traject Oost", user.id)
            await group_actions.attach_session(session, group.id, first.id)
            anna = await group_actions.enrol(session, group.id, first.id, "pA1", "Anna", None)
            bram = await group_actions.enrol(session, group.id, first.id, "pB1", "Bram", None)
            rows = [
                ActionRow("Bel de wijkcoach", anna.member_id, dt.date(2027, 1, 31)),
                ActionRow("Agenda rondsturen", bram.member_id, None),
                ActionRow("Zaal reserveren", None, None),
            ]
            await replace_session_actions(session, group.id, first.id, rows)
            await session.commit()
            group_id = group.id
            opening = await review_opening(session, group_id)
        phases = with_review_phase(setup.phases)
        joined = [
            ev.ParticipantJoined("pA2", "Anna", "participant", "remote"),
            member_linked("pA2", anna.member_id),
            ev.ParticipantJoined("pB2", "Bram", "participant", "remote"),
            member_linked("pB2", bram.member_id),
        ]
        second = await create_session(
            db,
            live,
            SessionSetup("Traject Oost 2", phases, (), "online", None, 4, False, False, None),
            user.id,
            user.name,
            extra=[*opening, *joined],
        )
        async with db() as session:
            await group_actions.attach_session(session, group_id, second.id)
            await session.commit()
        return second.public_id, "pA2", "pB2", group_id
    finally:
        await live.stop()
        await engine.dispose()


async def _opening_texts(site: LiveSite, group_id: int) -> list[tuple[str, str | None]]:
    engine = create_engine(site.database_url.replace("sqlite:", "sqlite+aiosqlite:", 1))
    try:
        async with sessionmaker(engine)() as session:
            opening = await review_opening(session, group_id)
    finally:
        await engine.dispose()
    return [(a.text, a.due) for body in opening for a in body.actions]  # type: ignore[union-attr]


def _open(site: LiveSite, new_context: NewContext, public_id: str, who: str, **kw: object) -> Page:
    context = new_context(PHONE)
    secret = (site.data / "secret_key").read_text().strip()
    context.add_cookies(
        [
            {
                "name": f"wp_p_{public_id}",
                "value": make_token(secret, public_id, who),
                "url": site.url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
    page = context.new_page()
    page.goto(f"/s/{public_id}")
    connected(page)
    return page


def test_an_owner_marks_an_action_done_and_a_carried_one_comes_back(
    live_site: LiveSite, new_context: NewContext
) -> None:
    public_id, anna_id, bram_id, group_id = _in_thread(lambda: _prepare(live_site))
    fenna = new_context().new_page()
    log_in(fenna, "facilitator@werkplaats.example")
    fenna.goto(f"/s/{public_id}")
    connected(fenna)
    anna = _open(live_site, new_context, public_id, anna_id)
    bram = _open(live_site, new_context, public_id, bram_id)
    fenna.locator(".ws-console").get_by_role("button", name="Start de eerste fase").click()

    def row(page: Page, text: str) -> object:
        return page.locator(".review-action", has_text=text)

    for page in (fenna, anna, bram):
        expect(page.get_by_role("heading", name="Terugblik op de acties")).to_be_visible()
        expect(page.locator(".review-action")).to_have_count(3)
    mine = anna.locator(".review-action", has_text="Bel de wijkcoach")
    expect(mine).to_contain_text("Wie: Anna")
    expect(mine).to_contain_text("31 januari 2027")
    # Anna may change hers and the group's, not Bram's; the facilitator all of them.
    bram_s = anna.locator(".review-action", has_text="Agenda rondsturen")
    expect(bram_s.get_by_role("button", name=re.compile("^Gedaan"))).to_be_hidden()
    group_s = anna.locator(".review-action", has_text="Zaal reserveren")
    expect(group_s).to_contain_text("Wie: de groep")
    expect(group_s.get_by_role("button", name=re.compile("^Gedaan"))).to_be_visible()
    expect(fenna.locator(".review-action button.review-done")).to_have_count(3)
    for button in fenna.locator(".review-action button.review-done").all():
        expect(button).to_be_visible()

    mine.get_by_role("button", name="Gedaan: Bel de wijkcoach").click()
    mine_bram = bram.locator(".review-action", has_text="Agenda rondsturen")
    mine_bram.get_by_label("Nieuwe datum (niet verplicht)").fill("2027-03-01")
    mine_bram.get_by_role("button", name=re.compile("^Neem mee naar volgende keer")).click()
    for page in (fenna, anna, bram):
        done = page.locator(".review-action", has_text="Bel de wijkcoach")
        expect(done).to_contain_text("Status: klaar")
        carried = page.locator(".review-action", has_text="Agenda rondsturen")
        expect(carried).to_contain_text("Status: meegenomen")
        expect(carried).to_contain_text("1 maart 2027")
    # A phone's width: nothing sticks out sideways.
    assert anna.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    serious = [
        v
        for v in Axe().run(anna, options=AXE_RULES).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, serious

    # The next session's terugblik: the done one is gone, the carried one back with its date.
    assert _in_thread(lambda: _opening_texts(live_site, group_id)) == [
        ("Agenda rondsturen", "2027-03-01"),
        ("Zaal reserveren", None),
    ]
