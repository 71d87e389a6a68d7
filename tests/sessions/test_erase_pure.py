"""Erasure's pure parts: mentions, planned events, an outcome's texts."""

from __future__ import annotations

import msgspec

from catalogue.erasure import plan_outcome, rewrite_json
from catalogue.mentions import Mentions, Scope, Tally
from catalogue.outcomes.models import OutcomeRow
from server.app import domain_erasure_parts
from server.db import create_engine, sessionmaker
from server.erasure import (
    ERASED_CONTRIBUTION,
    ERASED_MENTION,
    ERASED_NAME,
    ErasureAsk,
    Person,
    erase,
)
from sessions import events as ev
from sessions.erase import EventRow, plan_events
from tests.sessions.live import Server

# Pure parts -----------------------------------------------------------------------------------


def test_mentions_are_whole_names_in_any_case_and_spacing() -> None:
    mentions = Mentions(["Zoë Jansen", "Z", ERASED_NAME])
    assert mentions.names == ("Zoë Jansen",)  # too short, and placeholders, are no names
    assert mentions.replace("Dank, zoë   JANSEN!") == f"Dank, {ERASED_MENTION}!"
    assert mentions.replace("Zoe\u0308 Jansen zei") == f"{ERASED_MENTION} zei"  # decomposed ë
    unchanged = "De Zoë Jansenstraat"
    assert mentions.replace(unchanged) is unchanged
    assert not Mentions([])


def test_plan_events_keeps_seqs_and_touches_only_what_names_the_person() -> None:
    encode = msgspec.json.encode

    def row(seq: int, actor: str, kind: str, body: ev.EventBody) -> EventRow:
        return EventRow(1, seq, kind, actor, encode(body).decode(), None)

    joined, chat = "participant.joined", "chat.posted"
    rows = [
        row(1, "p1", joined, ev.ParticipantJoined("p1", "Zoë Jansen", "participant", None)),
        row(2, "p2", joined, ev.ParticipantJoined("p2", "Bram", "participant", None)),
        row(3, "p1", chat, ev.ChatPosted("m1", "Hoi", None)),
        row(4, "p2", chat, ev.ChatPosted("m2", "Hoi Zoë Jansen", None)),
        row(5, "p2", chat, ev.ChatPosted("m3", "Niets", None)),
    ]
    scope = Scope(frozenset({"p1"}), Mentions(["Zoë Jansen"]))
    changes = plan_events(rows, scope)
    assert [c.seq for c in changes] == [1, 4]
    assert msgspec.json.decode(changes[0].body)["name"] == ERASED_NAME
    assert msgspec.json.decode(changes[1].body)["text"] == f"Hoi {ERASED_MENTION}"
    removing = plan_events(rows, Scope(scope.participants, scope.mentions, True))
    assert [c.seq for c in removing] == [1, 3, 4]
    assert msgspec.json.decode(removing[1].body)["text"] == ERASED_CONTRIBUTION


async def test_a_dry_run_in_process_changes_nothing(server: Server) -> None:
    engine = create_engine(server.database_url)
    try:
        db = sessionmaker(engine)
        ask = ErasureAsk(Person.by_name("Niemand Bekend"), dry_run=True)
        report = await erase(db, ask, domain_erasure_parts())
        assert not report.changed and report.participants == 0
    finally:
        await engine.dispose()


def test_mentions_find_what_the_sharing_gate_finds_also_in_slugs_and_urls() -> None:
    """Erasure and sharing agree on what "the name" is (catalogue/outcomes/name_matcher.py)."""
    mentions = Mentions(["Zeynep Oudejans-Kraaijeveld"])
    written = [
        "https://example.org/verslagen/zeynep-oudejans-kraaijeveld",
        "https://example.org/verslagen/Zeynep_Oudejans_Kraaijeveld.pdf",
        "zie zeynep  oudejans kraaijeveld",
        "ZEYNEP OUDEJANS-KRAAIJEVELD zei het",
        "https://example.org/?q=zeynep+oudejans+kraaijeveld",
        "Zeÿnep Oudejáns-Kraaijeveld",
    ]
    for text in written:
        assert mentions.maybe_in(text), text
        assert ERASED_MENTION in mentions.replace(text), text
        assert "oudejans" not in mentions.replace(text).casefold(), text
    assert mentions.maybe_in('{"text": "zeyn\\u00e9p oudejans"}')  # JSON escapes: maybe
    assert not mentions.maybe_in("Oudejans alleen, geen voornaam")  # only the whole name
    kept = "Zeynep zei: Oudejans-Kraaijeveld"
    assert mentions.replace(kept) is kept


def test_an_outcome_loses_the_name_in_every_field_and_a_url_with_it_goes_whole() -> None:
    name = "Zeynep Oudejans-Kraaijeveld"
    url = "https://example.org/verslagen/zeynep-oudejans-kraaijeveld"
    product = {"title": f"Verslag {name}", "text": "Lees het.", "url": url}
    other = {"title": "Belwijzer", "text": "", "url": "https://example.org/belwijzer"}
    gated = {
        "title": f"Intervisie met {name.lower()}",
        "summary": "Deelnemer A bracht een casus in.",
        "products": [product, other],
        "questions": [f"Wat vindt {name} ervan?"],
        "captured": {"unclustered": [{"by": "p1", "text": "zeynep oudejans-kraaijeveld: ja"}]},
        "pseudonyms": {"p1": "Deelnemer A", "p2": "Deelnemer B"},
    }
    review = {"hide": ["Oudejans-Kraaijeveld", "Zwolle"], "keep": [name]}
    outcome = OutcomeRow(
        title="Intervisie",
        summary="",
        insights="",
        actions="",
        products=[product, other],
        captured={},
        gated=gated,
        review=review,
    )
    scope = Scope(frozenset(), Mentions([name]))
    changes = plan_outcome(outcome, scope, Tally())
    assert changes["products"] == [
        {"title": f"Verslag {ERASED_MENTION}", "text": "Lees het.", "url": None},
        other,
    ]
    new = changes["gated"]
    assert new["products"][0]["url"] is None and new["products"][1] == other
    assert new["title"] == f"Intervisie met {ERASED_MENTION}"
    assert new["questions"] == [f"Wat vindt {ERASED_MENTION} ervan?"]
    assert new["captured"]["unclustered"][0] == {"by": "p1", "text": f"{ERASED_MENTION}: ja"}
    assert new["pseudonyms"] == gated["pseudonyms"]  # ids and pseudonyms stay
    # A surname alone is no whole name: the facilitator's word to hide stays.
    assert changes["review"] == {"hide": review["hide"], "keep": [ERASED_MENTION]}
    assert "zeynep" not in repr({k: v for k, v in changes.items() if k != "review"}).casefold()
    pseudonyms = {"pseudonyms": {"p1": name}}
    assert rewrite_json(pseudonyms, scope, Tally()) == pseudonyms
