"""Reactions (sessions/tools/reactions.py, sessions/client/tools/reactions.js): five reactions to
the running phase, counted live for everyone, anonymous, captured only when a facilitator keeps
them. The rules through decide() and the fold; the widget in Chromium with two people."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sessions import commands as c
from sessions.capture import capture
from sessions.decide import Refused
from sessions.tools.reactions import KeepReactions, SendReaction
from tests.browser.conftest import NewContext
from tests.browser.test_workspace import Session as WorkspaceSession
from tests.sessions.test_state import Session


def test_a_reaction_goes_to_the_running_phase_and_only_then() -> None:
    s = Session()
    with pytest.raises(Refused) as refused:
        s.do("p1", SendReaction(id="r0", kind="agree"))
    assert refused.value.code == "no_phase"
    s.do("fa", c.NextPhase(id="n"))
    s.do("p1", SendReaction(id="r1", kind="agree"))
    s.do("p2", SendReaction(id="r2", kind="agree"))
    s.do("p2", SendReaction(id="r3", kind="idea"))
    assert s.state.reactions.counts == {"0": {"agree": 2, "idea": 1}}
    with pytest.raises(Refused) as refused:
        s.do("ob", SendReaction(id="r4", kind="heart"))
    assert refused.value.code == "forbidden"


def test_others_see_the_count_but_not_who_reacted() -> None:
    s = Session()
    s.do("fa", c.NextPhase(id="n"))
    sent = s.do("p1", SendReaction(id="r1", kind="applause"))[0]
    mine = next(e for e in s.views("p1") if e.seq == sent.seq)
    theirs = next(e for e in s.views("p2") if e.seq == sent.seq)
    assert mine.actor == "p1"
    assert theirs.actor is None
    assert theirs.body == sent.body


def test_the_outcome_captures_reactions_only_when_a_facilitator_keeps_them() -> None:
    s = Session()
    s.do("fa", c.NextPhase(id="n"))
    s.do("p1", SendReaction(id="r1", kind="question"))
    assert "reactions" not in capture(s.state)
    with pytest.raises(Refused) as refused:
        s.do("p1", KeepReactions(id="k0", keep=True))
    assert refused.value.code == "forbidden"
    s.do("fa", c.EndSession(id="end"))
    s.do("fa", KeepReactions(id="k1", keep=True))  # also after the end, composing the outcome
    assert capture(s.state)["reactions"] == [
        {"phase": 0, "name": "Opening", "counts": {"question": 1}}
    ]
    s.do("fa", KeepReactions(id="k2", keep=False))
    assert "reactions" not in capture(s.state)


def test_a_reaction_shows_live_for_everyone_and_the_facilitator_keeps_them(
    live_server: str, new_context: NewContext
) -> None:
    session = WorkspaceSession(live_server, new_context)
    fatima = session.facilitator
    anna = session.join("Anna")
    widget = {page: page.get_by_role("region", name="Reacties") for page in (fatima, anna)}
    expect(widget[anna].get_by_role("button", name="Eens: 0")).to_be_disabled()
    expect(widget[anna].get_by_label("Bewaar de reacties in de uitkomst")).to_be_hidden()

    fatima.locator(".ws-console").get_by_role("button", name="Start de eerste fase").click()
    widget[anna].get_by_role("button", name="Eens: 0").click()
    widget[anna].get_by_role("button", name=re.compile("^Eens")).click()
    widget[fatima].get_by_role("button", name="Idee: 0").click()
    for page in (fatima, anna):
        expect(widget[page].get_by_role("button", name="Eens: 2")).to_be_visible()
        expect(widget[page].get_by_role("button", name="Idee: 1")).to_be_visible()
    # Per phase, by kind; who reacted is in no state (the events reach others without actor).
    assert anna.evaluate("window.werkplaats.state.reactions") == {
        "counts": {"0": {"agree": 2, "idea": 1}},
        "kept": False,
    }

    widget[fatima].get_by_label("Bewaar de reacties in de uitkomst").check()
    expect(fatima.locator("#ws-reactions-keep")).to_be_checked()
    # Anna's fold learns it too (the page's CSP allows no wait_for_function: poll evaluate).
    for _ in range(100):
        if anna.evaluate("window.werkplaats.state.reactions.kept"):
            break
        anna.wait_for_timeout(100)
    assert anna.evaluate("window.werkplaats.state.reactions.kept") is True
