"""Issue 13, the sentinel test: nothing identifying leaves the group, on any route, API answer or
export that shows outcome data beyond the group.

A real server process (SQLite and PostgreSQL). Three participants with distinctive names
(consent "open") join the session "Casus van Joost Wiegersma" (region Zwolle) over websockets;
they write notes with their own and each other's names, in lower case, with doubled spaces,
hyphens and slugs ("ook joost  wiegersma", "zei anneke ook"), and notes with the 47 third-party
sentences of tests/identifying_texts.py (clients, family, colleagues, phone numbers, BSN,
e-mail, addresses, dates of birth); a cluster is titled with a name, the chart's axis labels
name people, the harvest takeaways name people. The facilitator composes the outcome on its
page with sentinels in every field (summary, insights, actions, products with title, text and
a link https://example.org/verslagen/zeynep-oudejans-kraaijeveld, knowledge questions such as
"Wat vindt Fatima El Moussaoui ervan?") and shares it "open". A second session of the region
("Vervolgoverleg met Pieter Zandbergen") is shared at "region" level with a question on the
agenda. An educator (member of Zwolle) builds a curriculum module with both outcomes as cases
and shares it by link.

Every answer below is fetched and searched for every sentinel (any case, white space collapsed,
as a whole word, also in slug form; JSON decoded, Markdown unescaped; not the visitor's own query
echoed in a search field), for the gate's inner mark of a participant ("⟦deelnemer:{id}⟧"), and
for ordinary words of the same texts:

Outcome data beyond the group (each must show no sentinel):
- GET /uitkomsten/{id}: anonymous, as the educator, anonymous with ?niveau=group, and the
  facilitator's previews ?niveau=region|national|open (their content, not the breadcrumb of
  the facilitator's own session);
- GET /uitkomsten/{id2} (the region-level outcome) as the educator;
- GET /bibliotheek and /library, anonymous and as the educator: no query, q=wiegersma,
  q=henk, q=jansen, q=moussaoui, q=wachtlijst;
- GET /api/outcomes, anonymous and as the educator: no query, q=wiegersma, q=jansen, q=henk,
  q=111222333, q=wachtlijst;
- every GET path of /api/openapi.json, anonymous ({slug} = "intervisie", any other parameter =
  the outcome's public id: an /api/outcomes/{id}, if one is added, is covered by this); today:
  /api/goals, /api/variants, /api/variants/intervisie, /api/regions, /api/outcomes (and
  /api/me, 401 without an account); GET /api/outcomes/{id} directly too (404 today);
- GET /regios/zwolle and /regions/zwolle (alias), anonymous and as the educator, and every
  /uitkomsten/... link on it, fetched by the same visitor (must not be 404);
- GET /regios (the regions list), / (the home page), /catalogus/intervisie (evidence);
- the educator's module pages: /modules (list), /modules/nieuw and /modules/{slug}/bewerken
  (the form lists the outcomes to choose as cases, by title), /modules/{slug},
  /modules/{slug}/versies/1, the shared link /modules/gedeeld/{token} (anonymous), and the
  exports /modules/{slug}/export.md, .html and .json;
- `werkplaats export module {slug} --format md|html|json` and `werkplaats export module --all`.

The group's own view (must still show the original texts): the compose page
/sessies/{id}/uitkomst and the facilitator's /uitkomsten/{id} (niveau=group).

Not covered here (not beyond the group, or no outcome data): the live workspace /s/{id}, its
websocket, the room screen /sessies/{id}/scherm and /sessies/{id} (the group), the harvest page
/s/{id}/oogst (the participant), /beheer/wissen (the administrator's erasure tool, which must
name the person to erase), /beheer/audit (ids only), the coordinator's views (coordinators see
the group version today).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator

import pytest

from tests.helpers import PASSWORD
from tests.identifying_texts import SENTENCES, leaks, normalised
from tests.server.test_cli import WERKPLAATS
from tests.sessions.live import BACKENDS, prepared_server, running
from tests.sessions.pages import text_of
from tests.sessions.sentinel_world import World, build_world, cli_exports, searchable
from tests.sessions.sentinels import (
    EDUCATOR,
    MENTION,
    NAME_LINK,
    ORDINARY,
    ORDINARY_NOTES,
    PLAIN_LINK,
    SENTINELS,
)
from tests.sessions.test_outcome_end_to_end import _make_member


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with prepared_server(request.param, tmp_path_factory.mktemp("gate")) as server:
        subprocess.run(
            [
                *(WERKPLAATS, "createuser", "--email", EDUCATOR[0], "--name", EDUCATOR[1]),
                *("--role", "educator", "--password-stdin"),
            ],
            env=server.env,
            input=PASSWORD.encode() + b"\n",
            check=True,
            capture_output=True,
        )
        asyncio.run(_make_member(server.database_url, EDUCATOR[0], "zwolle"))
        with running(server):
            world = World(server)
            asyncio.run(build_world(world))
            cli_exports(world)
            # What was fetched, for reading when a test fails (in pytest's temporary directory).
            dump = {k: [f.status, f.text] for k, f in {**world.shared, **world.group}.items()}
            (server.data_dir / "fetched.json").write_text(json.dumps(dump, ensure_ascii=False))
            yield world


# The tests ------------------------------------------------------------------------------------


def test_every_answer_beyond_the_group_was_fetched(world: World) -> None:
    """The fetches themselves worked (so the tests below look at real pages)."""
    failed = {
        label: f.status
        for label, f in world.shared.items()
        if f.status != 200 and not (label.startswith("anonymous (openapi)") and f.status == 401)
    }
    assert failed == {}, failed  # (anonymous: /api/me is 401)
    assert world.outcome and world.second and world.module


def test_no_sentinel_leaves_the_group_on_any_route_api_or_export(world: World) -> None:
    """Issue 13: every route, API answer and export that shows outcome data beyond the group
    goes through the sharing gate: no participant name (any case, spacing, hyphen or slug) and
    no third party's name, phone number, e-mail, BSN, address or date of birth."""
    found = {
        label: leaked
        for label, fetched in world.shared.items()
        if (leaked := leaks(searchable(fetched), SENTINELS))
    }
    # Nor the gate's inner mark of a participant (which holds their id): a pseudonym instead.
    found.update(
        {label: [MENTION] for label, fetched in world.shared.items() if MENTION in fetched.text}
    )
    assert found == {}, "\n".join(f"{label}: {leaked}" for label, leaked in found.items())


def test_the_shared_versions_still_say_what_was_said(world: World) -> None:
    """Not a gate that shows nothing: the outcome page, its previews and the module exports show
    the ordinary words of the same texts, every third-party sentence's ordinary word, and the
    product link that names nobody."""
    pages = [
        label
        for label in world.shared
        if f"/uitkomsten/{world.outcome}" in label or "export" in label or "gedeeld" in label
    ]
    assert len(pages) >= 10, pages
    for label in pages:
        words = ORDINARY + [s.ordinary for s in SENTENCES]
        if "/uitkomsten/" in label:
            words += ORDINARY_NOTES
        text = searchable(world.shared[label])
        missing = [w for w in words if not leaks(text, [w])]
        assert missing == [], (label, missing)
        assert PLAIN_LINK in text, label  # (Markdown: unescaped)
        assert "Deelnemer " in text, label  # the title: "Casus van Deelnemer A"
    hits = json.loads(world.shared["anonymous GET /api/outcomes?q=wachtlijst"].text)
    assert world.outcome in [hit["public_id"] for hit in hits["outcomes"]]


def test_lower_case_and_doubled_space_names_are_not_findable(world: World) -> None:
    """Defect (c): "joost  wiegersma", "zei anneke ook" are replaced in shared texts, and the
    library search finds nothing by a participant's or a client's name."""
    for who in ("anonymous", "educator"):
        for q in ("wiegersma", "jansen", "henk", "111222333"):
            answer = json.loads(world.shared[f"{who} GET /api/outcomes?q={q}"].text)
            assert [hit["public_id"] for hit in answer["outcomes"]] == [], (who, q)
        for q in ("wiegersma", "henk", "jansen", "moussaoui"):
            page = world.shared[f"{who} GET /bibliotheek?q={q}"].text
            assert f"/uitkomsten/{world.outcome}" not in page, (who, q)
    shown = world.shared[f"anonymous GET /uitkomsten/{world.outcome}"].text
    assert leaks(shown, ["joost  wiegersma", "anneke", "zeynep oudejans kraaijeveld"]) == []
    assert leaks(shown, ["moedeloos", "wachtlijst"]) == ["moedeloos", "wachtlijst"]


def test_a_product_link_that_spells_a_name_is_in_no_shared_version_or_export(
    world: World,
) -> None:
    """Defect (b): the link https://example.org/verslagen/zeynep-oudejans-kraaijeveld is dropped
    from every shared version and every module export; the other link stays."""
    for label, fetched in world.shared.items():
        text = normalised(searchable(fetched))
        assert "oudejans" not in text and "verslagen/zeynep" not in text, label
    for fmt in ("md", "html", "json"):
        export = world.shared[f"werkplaats export module --format {fmt}"]
        assert PLAIN_LINK in searchable(export), fmt


def test_the_region_page_shows_no_raw_question_or_title_and_links_no_404(world: World) -> None:
    """Defect (a): /regios/zwolle shows the knowledge questions and outcome titles through the
    gate, to anonymous visitors and to accounts, and every outcome it links opens for that
    visitor."""
    for who in ("anonymous", "educator"):
        page = world.shared[f"{who} GET /regios/zwolle"].text
        assert leaks(page, SENTINELS) == [], (who, leaks(page, SENTINELS))
        assert world.region_links[who], who  # the open outcome's questions are on it
        not_found = {link: s for link, s in world.region_links[who].items() if s != 200}
        assert not_found == {}, (who, not_found)
    anonymous = text_of(world.shared["anonymous GET /regios/zwolle"].text)
    assert "ervan?" in anonymous and "meelezen" in anonymous


def test_the_group_still_sees_its_own_texts(world: World) -> None:
    """The facilitator's compose page and group view show what was written, with names."""
    for label in ("compose", "outcome"):
        fetched = world.group[label]
        assert fetched.status == 200, label
        text = " ".join(text_of(fetched.text).split())
        for original in [
            "Joost Wiegersma",
            "Anneke Bosma",
            "Zeynep Oudejans-Kraaijeveld",
            "Fatima El Moussaoui",
            SENTENCES[0].text,
            SENTENCES[3].text,
            "111222333",
            "h.devries@gmail.com",
        ]:
            assert original in text, (label, original)
        assert NAME_LINK in fetched.text, label
