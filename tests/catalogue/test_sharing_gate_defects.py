"""Issue 13, the defects found, each as a test that failed before the sharing gate (in process,
on both databases; the same through a real server: tests/sessions/test_sharing_gate_sentinels.py).

(a) /regios/{slug} showed knowledge questions and outcome titles raw to anonymous visitors, and
    linked outcomes that were 404 for them;
(b) a product link that spells a participant's name stayed in every shared version and export;
(c) names in lower case or with doubled spaces were not replaced, and the library found them;
(d) a shared outcome built from notes naming clients, family members and colleagues with their
    phone numbers, BSN and e-mail addresses (tests/identifying_texts.py) showed them all; the
    group's own view must still show them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from catalogue.library import search as library_search
from catalogue.outcomes.actions import save_outcome
from catalogue.outcomes.composition import Composition, Product, SessionFacts
from tests.helpers import log_in, make_user, submit
from tests.identifying_texts import SENTENCES, identifying, leaks, normalised
from tests.sessions.pages import other_client, text_of
from tests.sessions.sentinel_world import Fetched, searchable

JOOST = "Joost Wiegersma"
ZEYNEP = "Zeynep Oudejans-Kraaijeveld"
ANNEKE = "Anneke Bosma"
# Participant ids are opaque, as in a live session (sessions/tokens.py): never part of a name.
NAMES = {"p1": JOOST, "p2": ZEYNEP, "p3": ANNEKE}
# How the gate marks a participant in a stored text, until a shared version names them with a
# pseudonym: never shown.
MENTION = "⟦"
PARTICIPANT_SENTINELS = [
    JOOST,
    "Joost",
    "Wiegersma",
    ZEYNEP,
    "Zeynep",
    "Oudejans",
    "Kraaijeveld",
    ANNEKE,
    "Anneke",
    "Bosma",
]
NAME_LINK = "https://example.org/verslagen/zeynep-oudejans-kraaijeveld"
PLAIN_LINK = "https://example.org/sociale-kaart"


async def _outcome(
    db: async_sessionmaker[AsyncSession],
    *,
    title: str,
    sharing: str = "open",
    summary: str = "",
    insights: str = "",
    notes: Sequence[tuple[str, str]] = (),  # (author, text)
    products: Sequence[Product] = (),
    questions: Sequence[str] = (),
    takeaways: Sequence[tuple[str, str]] = (),
    names: Mapping[str, str] = NAMES,
    actor_id: int | None = None,
) -> str:
    """An outcome of a session in Zwolle whose participants all consented to "open"; its id."""
    captured = {
        "clusters": [],
        "unclustered": [
            {"text": text, "by": by, "votes": 0, "anonymous": False} for by, text in notes
        ],
        "takeaways": [{"text": text, "by": by} for by, text in takeaways],
    }
    async with db() as session:
        row = await save_outcome(
            session,
            SessionFacts(
                session_id=None,
                title=title,
                held_on=dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC),
                variant_slug="intervisie",
                region_slug="zwolle",
                goals=("reflecteren",),
            ),
            Composition(
                summary=summary,
                insights=insights,
                products=tuple(products),
                questions=tuple(questions),
                sharing=sharing,
            ),
            captured,
            {participant: "open" for participant in names},
            {"reflecteren": (len(names), 4.0)},
            actor_id,
            names=dict(names),
        )
        return row.public_id


def _searchable(text: str) -> str:
    """What an answer says, escapes undone (as the sentinel test reads it)."""
    return searchable(Fetched(200, text))


async def _educator_module(
    app: Starlette, db: async_sessionmaker[AsyncSession], outcome: str
) -> dict[str, str]:
    """An educator's module with the outcome as a case, exported in every format."""
    await make_user(db, email="erik@example.org", roles=["educator"], name="Erik Educator")
    async with other_client(app) as educator:
        assert (await log_in(educator, "erik@example.org")).status_code == 303
        saved = await submit(
            educator,
            "/modules/nieuw",
            "/modules/nieuw",
            {
                "title": "Schuldhulp in de wijk",
                "audience": "Tweedejaars",
                "objectives": "Je herkent wat een wachtlijst met bewoners doet",
                "case-1-outcome": outcome,
                "case-1-note": "Lees de casus",
            },
        )
        assert saved.status_code == 303, text_of(saved.text)
        slug = saved.headers["location"].removeprefix("/modules/").split("?")[0]
        exports = {}
        for fmt in ("md", "html", "json"):
            answer = await educator.get(f"/modules/{slug}/export.{fmt}")
            assert answer.status_code == 200, fmt
            exports[f"export.{fmt}"] = answer.text
        page = await educator.get(f"/modules/{slug}")
        exports["module page"] = page.text
        return exports


async def _shared_answers(client: httpx.AsyncClient, outcome: str, *queries: str) -> dict[str, str]:
    """What an anonymous visitor gets: the outcome page (also asking for the group version),
    the library and the outcome API, with and without words to search."""
    answers = {}
    for path in (f"/uitkomsten/{outcome}", f"/uitkomsten/{outcome}?niveau=group"):
        page = await client.get(path)
        assert page.status_code == 200, path
        answers[path] = page.text
    for q in ("", *queries):
        for base in ("/bibliotheek", "/api/outcomes"):
            path = f"{base}?q={q}" if q else base
            answer = await client.get(path)
            assert answer.status_code == 200, path
            answers[path] = answer.text
    return answers


def _found(api_answer: str) -> list[str]:
    return [hit["public_id"] for hit in json.loads(api_answer)["outcomes"]]


# (a) ---------------------------------------------------------------------------------------------


async def test_the_region_page_shows_questions_and_titles_only_through_the_gate(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], seeded: list[str]
) -> None:
    """Defect (a): an anonymous visitor of /regios/zwolle sees no participant's name in an
    outcome title, no third party's name in a knowledge question, and every outcome linked
    opens for them (none is 404)."""
    await _outcome(
        db,
        title="Casus van Joost Wiegersma",
        summary="Over de wachtlijst.",
        questions=["Wat vindt Fatima El Moussaoui ervan?", "Hoe helpen we joost  wiegersma?"],
    )
    await _outcome(
        db,
        title="Vervolg met Anneke Bosma",
        sharing="region",
        summary="Over de wachtlijst.",
        questions=["Kan mevrouw Jansen (06-12345678) meedenken over de wachtlijst?"],
    )
    for path in ("/regios/zwolle", "/regions/zwolle"):
        page = await client.get(path, follow_redirects=True)
        assert page.status_code == 200
        sentinels = [*PARTICIPANT_SENTINELS, "Fatima El Moussaoui", "Moussaoui", "Jansen"]
        sentinels.append("06-12345678")
        assert leaks(page.text, sentinels) == [], (path, leaks(page.text, sentinels))
        assert MENTION not in page.text, path  # a pseudonym, not the gate's inner mark
        assert "ervan?" in text_of(page.text)  # the question is there, through the gate
        for link in set(re.findall(r'href="/uitkomsten/([^"?#]+)"', page.text)):
            assert (await client.get(f"/uitkomsten/{link}")).status_code == 200, link


# (b) ---------------------------------------------------------------------------------------------


async def test_a_product_link_that_spells_a_participants_name_is_in_no_shared_version(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> None:
    """Defect (b): the link …/verslagen/zeynep-oudejans-kraaijeveld is in no shared version,
    search answer or module export (md, html, json); a link that names nobody stays."""
    outcome = await _outcome(
        db,
        title="Belwijzer",
        summary="Een belwijzer voor de wachtlijst.",
        products=[
            Product("Verslag", "Het verslag van de avond", NAME_LINK),
            Product("Sociale kaart", "Wie helpt waar", PLAIN_LINK),
        ],
    )
    answers = await _shared_answers(client, outcome, "verslag", "zeynep", "kraaijeveld")
    answers.update(await _educator_module(app, db, outcome))
    for label, text in answers.items():
        searchable = normalised(_searchable(text))
        assert "oudejans" not in searchable and "kraaijeveld" not in searchable, label
    for label in (f"/uitkomsten/{outcome}", "export.md", "export.html", "export.json"):
        assert PLAIN_LINK in _searchable(answers[label]), label
    assert _found(answers["/api/outcomes?q=kraaijeveld"]) == []


# (c) ---------------------------------------------------------------------------------------------


async def test_names_in_lower_case_or_with_doubled_spaces_are_replaced_and_not_findable(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], seeded: list[str]
) -> None:
    """Defect (c): "ook joost  wiegersma", "zei anneke ook", "ZEYNEP oudejans kraaijeveld" are
    replaced in every shared text, and GET /api/outcomes?q=wiegersma finds nothing."""
    outcome = await _outcome(
        db,
        title="Intervisie over de wachtlijst",
        summary="De wachtlijst weegt zwaar, vindt ook joost  wiegersma.",
        insights="Dat zei anneke ook, en ZEYNEP oudejans kraaijeveld beaamde het.",
        notes=[
            ("p1", "zei anneke ook over de huurachterstand"),
            ("p3", "joost-wiegersma belt de wijkcoach"),
        ],
        takeaways=[("p2", "Vaker bellen met joost  wiegersma")],
        questions=["Wat zou anneke  bosma doen?"],
    )
    answers = await _shared_answers(client, outcome, "wiegersma", "anneke", "bosma", "zeynep")
    for label, text in answers.items():
        assert leaks(_searchable(text), PARTICIPANT_SENTINELS) == [], label
        assert MENTION not in text, label
    for q in ("wiegersma", "anneke", "bosma", "zeynep"):
        assert _found(answers[f"/api/outcomes?q={q}"]) == [], q
    assert outcome in _found((await client.get("/api/outcomes?q=huurachterstand")).text)
    page = text_of(answers[f"/uitkomsten/{outcome}"])
    assert "huurachterstand" in page and "wijkcoach" in page and "Deelnemer " in page


# (d) ---------------------------------------------------------------------------------------------


async def test_an_outcome_from_notes_about_clients_and_family_shares_none_of_them(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> None:
    """Defect (d): an outcome built from notes (and a summary) with the 47 sentences of
    tests/identifying_texts.py shows none of their names, phone numbers, BSN, e-mail addresses,
    addresses or dates of birth on the shared page, in the library, the API or a module export,
    and no search by them finds it; the ordinary words stay, and the facilitator's own (group)
    view still shows everything as written."""
    facilitator = await make_user(db, email="fenna@example.org", roles=["facilitator"])
    authors = list(NAMES)
    outcome = await _outcome(
        db,
        title="Casuïstiek in het wijkteam",
        summary="We bespraken de wachtlijst. " + " ".join(s.text for s in SENTENCES[:20]),
        insights=" ".join(s.text for s in SENTENCES[20:]),
        notes=[(authors[n % len(authors)], s.text) for n, s in enumerate(SENTENCES)],
        actor_id=facilitator.id,
    )
    # Words to search by: the last word of every identifying part (a surname, a number, …).
    # Not a word that begins an ordinary word of the texts ("Jong" finds "jongste", "jaar" is
    # no name): the search matches prefixes and stems.
    kept = " ".join(s.text for s in SENTENCES)
    for part in identifying():
        kept = kept.replace(part, " ")
    plain = {word.casefold() for word in re.findall(r"\w+", kept)}
    words = {re.findall(r"[\w.@+-]+", part)[-1].strip(".") for part in identifying()}
    searches = sorted(
        word
        for word in words
        if len(word) >= 4 and not any(p.startswith(word.casefold()) for p in plain)
    )
    answers = await _shared_answers(client, outcome, "wachtlijst")
    answers.update(await _educator_module(app, db, outcome))
    sentinels = identifying()
    found = {
        label: leaked
        for label, text in answers.items()
        if (leaked := leaks(_searchable(text), sentinels))
    }
    assert found == {}, found
    for label in (f"/uitkomsten/{outcome}", "export.md", "export.html", "export.json"):
        text = _searchable(answers[label])
        missing = [s.ordinary for s in SENTENCES if not leaks(text, [s.ordinary])]
        assert missing == [], (label, missing)
    assert outcome in _found(answers["/api/outcomes?q=wachtlijst"])
    async with db() as session:
        query = await library_search.parse_query(session, {"q": ""})
        hits = await library_search.search(session, query, None, frozenset())
        listed = [hit for hit in hits if hit.public_id == outcome]
    assert listed and leaks(json.dumps([vars(h) for h in listed], default=str), sentinels) == []
    findable = []
    for word in searches:
        answer = await client.get("/api/outcomes", params={"q": word})
        if answer.status_code == 200 and outcome in _found(answer.text):
            findable.append(word)
    assert findable == [], findable

    # The group's own view: the facilitator who composed it sees every text as written.
    async with other_client(app) as fenna:
        assert (await log_in(fenna, "fenna@example.org")).status_code == 303
        own = await fenna.get(f"/uitkomsten/{outcome}")
        assert own.status_code == 200
        shown = " ".join(text_of(own.text).split())
        missing = [s.text for s in SENTENCES if s.text not in shown]
        assert missing == [], missing


@pytest.fixture(autouse=True)
def _deduce_loaded() -> None:
    """The gate de-identifies in process: load deduce's model once, before the first request
    (the first load takes seconds, which is no part of what these tests look at)."""
    from catalogue.outcomes import deidentify

    deidentify.find("Mevrouw Jansen")
