"""The live workspace in Chromium when the network fails: what a participant typed is kept and
sent once, the client resumes after a drop and takes a snapshot after a gap, and a message sent
offline survives a reload (moved from test_workspace.py, which holds the Session helper)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, WebSocketRoute, expect

from tests.browser.conftest import NewContext
from tests.browser.test_workspace import Session, chat, connected, console, wait_until


@pytest.fixture
def session(live_server: str, new_context: NewContext) -> Session:
    return Session(live_server, new_context)


def cuttable(context: BrowserContext) -> tuple[dict[str, bool], list[WebSocketRoute]]:
    """Route the context's session websockets through Playwright, so that a test can cut them:
    Chromium keeps websockets open under context.set_offline (playwright#4910). While
    `network["up"]` is false new sockets are refused; the open ones are in the list."""
    network = {"up": True}
    sockets: list[WebSocketRoute] = []

    def route(ws: WebSocketRoute) -> None:
        if not network["up"]:
            ws.close(code=1011, reason="network down")
            return
        ws.connect_to_server()
        sockets.append(ws)

    context.route_web_socket(re.compile(r"/ws/sessions/"), route)
    return network, sockets


def test_a_participant_who_drops_off_keeps_what_they_typed_and_sends_once(
    session: Session, new_context: NewContext
) -> None:
    context = new_context()
    network, sockets = cuttable(context)
    anna = session.join("Anna", context=context)
    console(session.facilitator).get_by_role("button", name="Start de eerste fase").click()
    console(session.facilitator).get_by_label("Naar fase").select_option(
        label="2. Ideeën verzamelen"
    )
    session.facilitator.get_by_role("button", name="Start deze fase").click()
    note = anna.locator("textarea[id^=note-text]")
    expect(note).to_be_visible()

    network["up"] = False
    context.set_offline(True)
    for ws in sockets:
        ws.close(code=1011, reason="network down")
    expect(anna.locator(".ws-conn")).to_have_attribute("data-status", "offline")
    expect(anna.locator(".ws-conn")).to_contain_text("Offline")
    note.fill("Huisbezoek altijd met z'n tweeën")
    message = chat(anna).get_by_label("Je bericht")
    message.fill("Ben even weg, zo terug")
    message.press("Enter")
    expect(chat(anna).get_by_role("status")).to_contain_text("Nog niet verstuurd")
    expect(message).to_have_value("Ben even weg, zo terug")
    anna.wait_for_timeout(1500)  # a retry or two against the dead network
    expect(anna.locator("#ws-live-assertive")).to_contain_text("De verbinding is weg")

    network["up"] = True
    context.set_offline(False)
    connected(anna)
    expect(chat(session.facilitator).get_by_role("log")).to_contain_text("Ben even weg, zo terug")
    expect(message).to_have_value("")
    expect(note).to_have_value("Huisbezoek altijd met z'n tweeën")
    anna.reload()
    connected(anna)
    expect(anna.locator("textarea[id^=note-text]")).to_have_value(
        "Huisbezoek altijd met z'n tweeën"
    )
    expect(chat(anna).get_by_label("Je bericht")).to_have_value("")
    log = chat(session.facilitator).get_by_role("log")
    expect(log.locator("li", has_text="Ben even weg, zo terug")).to_have_count(1)
    posted = session.facilitator.evaluate(
        "werkplaats.state.chat.filter((m) => m.text === 'Ben even weg, zo terug').length"
    )
    assert posted == 1


def test_the_client_resumes_after_a_drop_and_takes_a_snapshot_after_a_gap(
    session: Session, new_context: NewContext
) -> None:
    context = new_context()
    hellos: list[dict[str, Any]] = []
    sockets: list[WebSocketRoute] = []

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame["type"] == "hello":
                hellos.append(frame)
            server.send(message)

        ws.on_message(from_page)
        sockets.append(ws)

    context.route_web_socket(re.compile(r"/ws/sessions/"), route)
    anna = session.join("Anna", context=context)
    assert hellos[0]["last_seq"] == 0
    anna.get_by_role("button", name="Hand opsteken").click()
    expect(anna.get_by_role("button", name="Hand laten zakken")).to_be_visible()
    seq = anna.evaluate("werkplaats.state.seq")

    sockets[-1].close(code=1011, reason="dropped")
    wait_until(anna, lambda: len(hellos) == 2)
    connected(anna)
    assert hellos[1]["last_seq"] == seq  # a resume, not a new snapshot
    chat(session.facilitator).get_by_label("Je bericht").fill("Na de onderbreking")
    chat(session.facilitator).get_by_label("Je bericht").press("Enter")
    expect(chat(anna).get_by_role("log")).to_contain_text("Na de onderbreking")

    # A frame that skips seqs: the client cannot trust its state and asks for a snapshot.
    seq = anna.evaluate("werkplaats.state.seq")
    hidden = {"type": "hidden", "what": "note"}
    gap = {"seq": seq + 5, "actor": None, "at": 0, "body": hidden}
    sockets[-1].send(json.dumps({"type": "events", "events": [gap]}))
    wait_until(anna, lambda: len(hellos) == 3)
    connected(anna)
    assert hellos[2]["last_seq"] == 0
    expect(chat(anna).get_by_role("log")).to_contain_text("Na de onderbreking")
    assert anna.evaluate("werkplaats.state.seq") == session.facilitator.evaluate(
        "werkplaats.state.seq"
    )


def test_a_message_sent_offline_survives_a_reload_and_arrives_once(
    session: Session, new_context: NewContext
) -> None:
    context = new_context()
    network, sockets = cuttable(context)
    anna = session.join("Anna", context=context)
    network["up"] = False
    for ws in sockets:
        ws.close(code=1011, reason="network down")
    expect(anna.locator(".ws-conn")).not_to_have_attribute("data-status", "connected")
    chat(anna).get_by_label("Je bericht").fill("Tot zo")
    chat(anna).get_by_label("Je bericht").press("Enter")
    expect(chat(anna).get_by_role("status")).to_contain_text("Nog niet verstuurd")
    anna.reload()  # the page loads, its websocket does not get through
    expect(chat(anna).get_by_label("Je bericht")).to_have_value("Tot zo")
    expect(anna.locator(".ws-conn")).not_to_have_attribute("data-status", "connected")
    network["up"] = True
    context.set_offline(True)  # and back: the 'online' event makes the page reconnect at once
    context.set_offline(False)
    connected(anna)
    log = chat(session.facilitator).get_by_role("log")
    expect(log).to_contain_text("Tot zo")
    expect(chat(anna).get_by_label("Je bericht")).to_have_value("")
    anna.wait_for_timeout(500)
    expect(log.locator("li", has_text="Tot zo")).to_have_count(1)
