"""The client's tools are complete: read in Chromium from the registry (sessions/client/tools/).

Every event type of the protocol has exactly one JS fold handler (and none is for a type the
server does not know); the agenda tools the client offers are the catalogue's; every view a
phase shows is a registered tool's. (That the generated logs reach every type, so the parity
test folds each handler against the server's, is tests/browser/test_state_parity.py's
test_the_generated_logs_reach_every_event_type.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from catalogue.vocabulary import TOOLS
from sessions.workspace_client import client_msgids
from tests.browser.test_state_parity import event_types

REGISTRY = """async () => {
  const registry = await import("/static/workspace/tools/index.js");
  const state = await import("/static/workspace/state.js");
  return {
    folded: state.foldedTypes(),
    tools: registry.TOOLS.map((tool) => ({
      name: tool.name,
      fold: Object.keys(tool.fold || {}),
      view: Boolean(tool.view),
      widget: Boolean(tool.widget),
    })),
    agenda: registry.AGENDA_TOOLS,
  };
}"""


@pytest.fixture(scope="module")
def registry(browser: Browser, live_server: str) -> Iterator[dict[str, Any]]:
    context = browser.new_context(base_url=live_server)
    page: Page = context.new_page()
    page.goto("/")
    yield page.evaluate(REGISTRY)
    context.close()


def test_every_event_type_has_one_js_fold_handler(registry: dict[str, Any]) -> None:
    """`hidden` stand-ins only set `seq`; every other type has its handler in one tool.

    Tried: deleting "note.moved" from tools/board.js's fold fails here (missing); adding a
    "note.pinned" handler fails here (unknown); "board.locked" in tools/chat.js too makes state.js
    throw on import ("two fold handlers for board.locked"), which fails every test here."""
    expected = event_types() - {"hidden"}
    assert len(expected) > 30, "found too few event types: the collection is broken"
    folded = set(registry["folded"])
    assert sorted(expected - folded) == [], "event types without a JS fold handler"
    assert sorted(folded - expected) == [], "JS fold handlers for types the server has not"
    per_tool = [t for tool in registry["tools"] for t in tool["fold"]]
    assert len(per_tool) == len(set(per_tool)) == len(folded)


def test_the_client_s_agenda_tools_are_the_catalogue_s(registry: dict[str, Any]) -> None:
    """The tools a phase can use, in the agenda editor's order, are catalogue/vocabulary.py's
    TOOLS; each names a label the page is given in its language, and shows registered views.

    Tried: leaving the `agenda` out of tools/harvest.js fails the first assertion; `shows:
    ["harvest", "boord"]` fails the last."""
    agenda = registry["agenda"]
    assert [tool["key"] for tool in agenda] == list(TOOLS)
    for tool in agenda:
        assert tool["label"] in client_msgids(), tool
    names = [tool["name"] for tool in registry["tools"]]
    assert len(names) == len(set(names)), "two tools of one name"
    with_view = {tool["name"] for tool in registry["tools"] if tool["view"]}
    for tool in agenda:
        assert set(tool["shows"]) <= with_view, tool


def test_always_on_tools_need_no_agenda_phase(registry: dict[str, Any]) -> None:
    """Raised hands are a widget of the side column, not an agenda tool (as a tool such as
    reactions would be): the registry holds both kinds."""
    tools = {tool["name"]: tool for tool in registry["tools"]}
    assert tools["hands"]["widget"] and tools["hands"]["fold"]
    assert "hands" not in {tool["key"] for tool in registry["agenda"]}
