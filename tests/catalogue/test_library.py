"""The outcome library: who finds what (per role and sharing level), Dutch full-text search on
both databases, filters, bad input, and that search never reaches text a level leaves out."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from sqlalchemy import delete, select
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import sessions  # noqa: F401  (live_sessions, which outcomes refer to)
from catalogue.library import access
from catalogue.library import search as library_search
from catalogue.outcomes.actions import save_outcome
from catalogue.outcomes.composition import Composition, SessionFacts
from catalogue.outcomes.gate import Review
from catalogue.outcomes.models import OutcomeRow, OutcomeText
from server.erasure import ErasureAsk, Person
from server.models import AuditEntry, Role, User
from tests.helpers import csrf_token, log_in, make_user, submit

NOTE_BY_REFUSER = "Geheimzinnigheid rond Pietersbergweg"


async def _outcome(
    db: async_sessionmaker[AsyncSession],
    title: str,
    sharing: str,
    *,
    region: str = "zwolle",
    variant: str = "intervisie",
    theme: str | None = "sociale-basis-versterken",
    goals: tuple[str, ...] = ("reflecteren",),
    summary: str = "",
    held_on: dt.datetime = dt.datetime(2026, 3, 10, 14, tzinfo=dt.UTC),
    names: dict[str, str] | None = None,
) -> OutcomeRow:
    captured = {
        "unclustered": [
            {"id": "n1", "text": "Korte lijnen met het wijkteam helpen.", "by": "p-a"},
            {"id": "n2", "text": NOTE_BY_REFUSER, "by": "p-b"},
        ]
    }
    async with db() as session:
        return await save_outcome(
            session,
            SessionFacts(
                session_id=None,
                title=title,
                held_on=held_on,
                variant_slug=variant,
                region_slug=region,
                theme_slug=theme,
                goals=goals,
            ),
            Composition(summary=summary, sharing=sharing),
            captured,
            {"p-a": "open", "p-b": "no"},
            {},
            None,
            names=names,
            # The facilitator showed the places deduce replaces after all
            # (catalogue/outcomes/gate.py).
            review=Review(
                keep=(
                    "Zwolle",
                    "Gelderse Vallei",
                    "Uitkomst 1",
                    "Uitkomst 2",
                    "Uitkomst 3",
                    "Uitkomst 4",
                    "Uitkomst 5",
                )
            ),
        )


@pytest.fixture
async def library_db(
    db: async_sessionmaker[AsyncSession], seeded: list[str]
) -> async_sessionmaker[AsyncSession]:
    await _outcome(db, "Open uitkomst", "open", summary="Wijkteams en bewoners samen.")
    await _outcome(db, "Landelijke uitkomst", "national", region="gelderse-vallei", theme=None)
    await _outcome(db, "Regio Zwolle uitkomst", "region")
    await _outcome(
        db, "Regio Gelderse Vallei uitkomst", "region", region="gelderse-vallei", theme=None
    )
    await _outcome(db, "Groepsuitkomst", "group")
    return db


async def _account(db: async_sessionmaker[AsyncSession], email: str) -> User:
    async with db() as session:
        found = await session.scalar(select(User).where(User.email == email))
    assert found is not None
    return found


async def _titles(
    db: async_sessionmaker[AsyncSession], user: User | None, **params: str
) -> set[str]:
    async with db() as session:
        query = await library_search.parse_query(session, params)
        memberships = await access.memberships_of(session, user)
        return {hit.title for hit in await library_search.search(session, query, user, memberships)}


async def test_visibility_follows_role_and_sharing_level(
    library_db: async_sessionmaker[AsyncSession],
) -> None:
    db = library_db
    member = await make_user(db, "lid@example.org", ("educator",), "Lid Zwolle")
    outsider = await make_user(db, "ander@example.org", ("educator",), "Geen Lid")
    coordinator = await make_user(db, "co@example.org", ("coordinator",), "Coördinator")
    async with db() as session:
        assert await access.set_memberships(session, member.id, ["zwolle", "nergens"]) == ["zwolle"]
    assert await _titles(db, None) == {"Open uitkomst"}
    assert await _titles(db, outsider) == {"Open uitkomst", "Landelijke uitkomst"}
    assert await _titles(db, member) == {
        "Open uitkomst",
        "Landelijke uitkomst",
        "Regio Zwolle uitkomst",
    }
    assert await _titles(db, coordinator) == {
        "Open uitkomst",
        "Landelijke uitkomst",
        "Regio Zwolle uitkomst",
        "Regio Gelderse Vallei uitkomst",
    }
    assert coordinator.has_role(Role.COORDINATOR)


async def test_dutch_full_text_search(
    library_db: async_sessionmaker[AsyncSession], backend: str
) -> None:
    db = library_db
    # The summary says "Wijkteams"; a note says "wijkteam". PostgreSQL stems both ways.
    assert await _titles(db, None, q="wijkteam") == {"Open uitkomst"}
    assert await _titles(db, None, q="bewoners samen") == {"Open uitkomst"}
    assert await _titles(db, None, q="fietsenstalling") == set()
    if backend == "postgres":
        assert await _titles(db, None, q="wijkteams") == {"Open uitkomst"}
        assert await _titles(db, None, q="bewoner") == {"Open uitkomst"}
    else:
        assert await _titles(db, None, q="wijkte") == {"Open uitkomst"}  # FTS5 prefixes


async def test_a_left_out_contribution_is_not_findable(
    library_db: async_sessionmaker[AsyncSession],
) -> None:
    db = library_db
    coordinator = await make_user(db, "co@example.org", ("coordinator",), "Coördinator")
    for word in ("Pietersbergweg", "Geheimzinnigheid", NOTE_BY_REFUSER):
        assert await _titles(db, coordinator, q=word) == set()
    assert await _titles(db, coordinator, q="Groepsuitkomst") == set()  # group: never listed
    assert "Regio Zwolle uitkomst" in await _titles(db, coordinator, q="korte lijnen")


async def test_a_name_typed_into_a_text_is_neither_listed_nor_findable(
    client: httpx.AsyncClient, library_db: async_sessionmaker[AsyncSession]
) -> None:
    await _outcome(
        library_db,
        "Met een naam",
        "open",
        summary="Zoë Vermeulen vertelde over de buurtkamer.",
        names={"p-a": "Zoë Vermeulen", "p-b": "Joost Bakker"},
    )
    assert await _titles(library_db, None, q="Vermeulen") == set()
    assert await _titles(library_db, None, q="buurtkamer") == {"Met een naam"}
    page = await client.get("/bibliotheek", params={"q": "buurtkamer"})
    assert "Vermeulen" not in page.text and "Deelnemer A vertelde over de buurtkamer." in page.text
    # Changed outside save_outcome (as an erasure does): the stale snippet is not shown.
    async with library_db() as session:
        row = await session.scalar(select(OutcomeRow).where(OutcomeRow.title == "Met een naam"))
        assert row is not None and row.gated is not None
        row.summary = "Iemand sprak over de buurtkamer."
        row.gated = {**row.gated, "summary": row.summary}
        await session.commit()
    page = await client.get("/bibliotheek", params={"q": "buurtkamer"})
    assert "Met een naam" in page.text and "vertelde" not in page.text


async def test_a_consent_withdrawn_after_indexing_takes_effect_at_once(
    library_db: async_sessionmaker[AsyncSession],
) -> None:
    db = library_db
    coordinator = await make_user(db, "co@example.org", ("coordinator",), "Coördinator")
    assert "Regio Zwolle uitkomst" in await _titles(db, coordinator, q="korte lijnen")
    async with db() as session:
        for row in await session.scalars(select(OutcomeRow)):
            row.consents = {"p-a": "no", "p-b": "no"}
        await session.commit()
    assert await _titles(db, coordinator, q="korte lijnen") == set()
    assert await _titles(db, coordinator, q="wijkteams") == {"Open uitkomst"}  # the summary


async def test_filters(library_db: async_sessionmaker[AsyncSession]) -> None:
    db = library_db
    coordinator = await make_user(db, "co@example.org", ("coordinator",), "Coördinator")
    await _outcome(
        db,
        "Later",
        "open",
        variant="moreel-beraad",
        goals=("dilemmas-bespreken",),
        held_on=dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC),
    )
    assert await _titles(db, coordinator, regio="gelderse-vallei") == {
        "Landelijke uitkomst",
        "Regio Gelderse Vallei uitkomst",
    }
    assert await _titles(db, None, werkvorm="moreel-beraad") == {"Later"}
    assert await _titles(db, None, doel="dilemmas-bespreken") == {"Later"}
    assert await _titles(db, None, van="2026-05-01") == {"Later"}
    assert await _titles(db, None, tot="2026-03-10") == {"Open uitkomst"}
    assert await _titles(db, coordinator, thema="sociale-basis-versterken") == {
        "Open uitkomst",
        "Regio Zwolle uitkomst",
        "Later",
    }


async def test_a_national_theme_finds_the_outcomes_of_its_regional_themes_in_every_region(
    client: httpx.AsyncClient, library_db: async_sessionmaker[AsyncSession]
) -> None:
    db = library_db
    coordinator = await make_user(db, "co@example.org", ("coordinator",), "Coördinator")
    # Zwolle's "sociale-basis-versterken" (the fixture's outcomes) and Gelderse Vallei's
    # "eenzaamheid" both belong to the national theme "eenzaamheid-en-sociale-basis".
    await _outcome(
        db, "Eenzaamheid op tijd zien", "open", region="gelderse-vallei", theme="eenzaamheid"
    )
    await _outcome(
        db, "Schoolspullen voor iedereen", "open", region="gelderse-vallei", theme="kinderarmoede"
    )
    assert await _titles(db, coordinator, thema="eenzaamheid-en-sociale-basis") == {
        "Open uitkomst",
        "Regio Zwolle uitkomst",
        "Eenzaamheid op tijd zien",
    }
    assert await _titles(db, None, thema="eenzaamheid-en-sociale-basis") == {
        "Open uitkomst",
        "Eenzaamheid op tijd zien",
    }
    assert await _titles(db, None, thema="armoede-en-bestaanszekerheid") == {
        "Schoolspullen voor iedereen"
    }
    assert await _titles(db, None, thema="sociale-wijkteams") == set()
    # A regional theme's own slug still finds that theme only; filters combine.
    assert await _titles(db, None, thema="eenzaamheid") == {"Eenzaamheid op tijd zien"}
    assert await _titles(db, coordinator, thema="eenzaamheid-en-sociale-basis", regio="zwolle") == {
        "Open uitkomst",
        "Regio Zwolle uitkomst",
    }

    api = await client.get("/api/outcomes", params={"thema": "eenzaamheid-en-sociale-basis"})
    assert api.status_code == 200
    assert {hit["title"]: hit["national_themes"] for hit in api.json()["outcomes"]} == {
        "Open uitkomst": ["eenzaamheid-en-sociale-basis", "samenwerken-met-bewoners"],
        "Eenzaamheid op tijd zien": ["eenzaamheid-en-sociale-basis"],
    }
    page = await client.get("/bibliotheek", params={"thema": "eenzaamheid-en-sociale-basis"})
    assert page.status_code == 200
    assert "<optgroup label=\"Landelijke thema's (alle regio's)\">" in page.text.replace(
        "&#39;", "'"
    )
    assert '<option value="eenzaamheid-en-sociale-basis" selected>' in page.text
    assert "Eenzaamheid op tijd zien" in page.text and "Schoolspullen" not in page.text
    assert "(landelijk thema: Eenzaamheid en sociale basis)" in page.text


async def _ordered(db: async_sessionmaker[AsyncSession], **params: str) -> list[str]:
    async with db() as session:
        query = await library_search.parse_query(session, params)
        return [hit.title for hit in await library_search.search(session, query, None, frozenset())]


async def test_words_rank_by_relevance_and_no_words_list_the_newest_first(
    db: async_sessionmaker[AsyncSession], seeded: list[str]
) -> None:
    await _outcome(
        db,
        "Buurtkamer als huiskamer van de buurt",
        "open",
        summary="De buurtkamer is open. In de buurtkamer drinken buren koffie; de buurtkamer"
        " helpt.",
        held_on=dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC),
    )
    await _outcome(
        db,
        "Werken in de wijk",
        "open",
        summary="Over het werk in de wijk, de teams, de partners, de gemeente, de scholen en"
        " de huisartsen; één keer ging het over een buurtkamer.",
        held_on=dt.datetime(2026, 6, 5, 10, tzinfo=dt.UTC),
    )
    await _outcome(db, "Iets anders", "open", held_on=dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
    assert await _ordered(db, q="buurtkamer") == [
        "Buurtkamer als huiskamer van de buurt",
        "Werken in de wijk",
    ]
    assert await _ordered(db) == [
        "Iets anders",
        "Werken in de wijk",
        "Buurtkamer als huiskamer van de buurt",
    ]


async def test_results_come_in_pages_with_a_link_to_more(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(library_search, "MAX_RESULTS", 2)  # instead of 100 outcomes
    for day in range(1, 6):
        held_on = dt.datetime(2026, 4, day, 10, tzinfo=dt.UTC)
        await _outcome(db, f"Uitkomst {day}", "open", summary="Wijkteams.", held_on=held_on)
    pages = []
    for number in (1, 2, 3):
        api = await client.get("/api/outcomes", params={"q": "wijkteams", "pagina": number})
        assert api.status_code == 200 and api.json()["page"] == number
        pages.append(([hit["title"] for hit in api.json()["outcomes"]], api.json()["more"]))
    assert pages == [
        (["Uitkomst 5", "Uitkomst 4"], True),
        (["Uitkomst 3", "Uitkomst 2"], True),
        (["Uitkomst 1"], False),
    ]
    page = await client.get("/bibliotheek", params={"q": "wijkteams", "pagina": "2"})
    assert "Uitkomst 3" in page.text and "Uitkomst 5" not in page.text
    assert '<a href="/bibliotheek?q=wijkteams&amp;pagina=3" rel="next">Meer uitkomsten</a>' in (
        page.text
    )
    assert '<a href="/bibliotheek?q=wijkteams" rel="prev">Vorige uitkomsten</a>' in page.text
    last = await client.get("/bibliotheek", params={"q": "wijkteams", "pagina": "3"})
    assert 'rel="next"' not in last.text and 'rel="prev"' in last.text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "x" * 201}, "q"),
        ({"doel": "bestaat-niet"}, "doel"),
        ({"werkvorm": "bestaat-niet"}, "werkvorm"),
        ({"regio": "bestaat-niet"}, "regio"),
        ({"thema": "bestaat-niet"}, "thema"),
        ({"van": "31-03-2026"}, "van"),
        ({"van": "2026-05-01", "tot": "2026-04-01"}, "tot"),
        ({"pagina": "0"}, "pagina"),
        ({"pagina": "twee"}, "pagina"),
        ({"pagina": "1001"}, "pagina"),
    ],
)
async def test_bad_input(
    client: httpx.AsyncClient,
    seeded: list[str],
    params: dict[str, str],
    field: str,
) -> None:
    api = await client.get("/api/outcomes", params=params)
    assert api.status_code == 400
    assert api.json()["errors"][0]["field"] == field
    page = await client.get("/bibliotheek", params=params)
    assert page.status_code == 400
    assert 'role="alert"' in page.text
    assert 'id="search-error"' in page.text


async def test_pages_and_api(
    client: httpx.AsyncClient, library_db: async_sessionmaker[AsyncSession]
) -> None:
    page = await client.get("/bibliotheek")
    assert page.status_code == 200
    assert "Open uitkomst" in page.text and "Landelijke uitkomst" not in page.text
    assert "Wijkteams en bewoners samen." in page.text
    assert (await client.get("/library")).status_code == 200
    api = await client.get("/api/outcomes", params={"q": "wijkteam"})
    assert [hit["title"] for hit in api.json()["outcomes"]] == ["Open uitkomst"]
    assert api.json()["outcomes"][0]["url"].startswith("/uitkomsten/")
    # HTML in a query is shown as text, never run.
    evil = "<script>alert(1)</script>"
    page = await client.get("/bibliotheek", params={"q": evil})
    assert page.status_code == 200
    assert evil not in page.text and "&lt;script&gt;" in page.text
    # Logged in: national outcomes too.
    await make_user(library_db, "edu@example.org", ("educator",), "Docent")
    await log_in(client, "edu@example.org")
    page = await client.get("/bibliotheek")
    assert "Landelijke uitkomst" in page.text and "Regio Zwolle uitkomst" not in page.text


async def test_coordinator_sets_regions_on_accounts_page(
    client: httpx.AsyncClient, library_db: async_sessionmaker[AsyncSession]
) -> None:
    db = library_db
    await make_user(db, "co@example.org", ("coordinator",), "Coördinator")
    member = await make_user(db, "lid@example.org", ("educator",), "Lid Zwolle")
    await log_in(client, "co@example.org")
    response = await submit(
        client,
        "/beheer/accounts",
        f"/beheer/accounts/{member.id}/regios",
        {"regions": ["zwolle"]},
    )
    assert response.status_code == 303
    async with db() as session:
        assert await access.memberships_of(session, member) == {"zwolle"}
        # Memberships decide who reads region outcomes: audited, as roles are.
        [entry] = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "account.regions")
        )
    coordinator = await _account(db, "co@example.org")
    assert (entry.target, entry.actor, entry.detail) == (
        f"account:{member.id}",
        f"account:{coordinator.id}",
        "zwolle",
    )
    page = await client.get("/beheer/accounts")
    assert "Zwolle" in page.text
    assert await _titles(db, member, q="uitkomst") >= {"Regio Zwolle uitkomst"}


async def test_a_deleted_outcome_leaves_nothing_in_the_index(
    library_db: async_sessionmaker[AsyncSession], backend: str
) -> None:
    async with library_db() as session:
        await session.execute(delete(OutcomeRow))
        await session.commit()
        assert list(await session.scalars(select(OutcomeText))) == []
        if backend == "sqlite":
            left = await session.scalar(sql("SELECT count(*) FROM outcome_search"))
            assert left == 0


async def test_the_outcome_page_follows_region_membership(
    client: httpx.AsyncClient, library_db: async_sessionmaker[AsyncSession]
) -> None:
    db = library_db
    evil = await _outcome(db, "<script>alert(1)</script> in de wijk", "open")
    async with db() as session:
        row = await session.scalar(
            select(OutcomeRow).where(OutcomeRow.title == "Regio Zwolle uitkomst")
        )
        assert row is not None
    path = f"/uitkomsten/{row.public_id}"
    assert (await client.get(path)).status_code == 404
    await make_user(db, "ander@example.org", ("educator",), "Geen Lid")
    member = await make_user(db, "lid@example.org", ("educator",), "Lid Zwolle")
    async with db() as session:
        await access.set_memberships(session, member.id, ["zwolle"])
    await log_in(client, "ander@example.org")
    assert (await client.get(path)).status_code == 404
    other = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with other:
        await log_in(other, "lid@example.org")
        assert (await other.get(path)).status_code == 200
        listed = await other.get("/bibliotheek", params={"q": "wijk"})
        assert "<script>alert(1)</script>" not in listed.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; in de wijk" in listed.text
        assert f"/uitkomsten/{evil.public_id}" in listed.text


async def test_an_erased_account_is_no_member_of_a_region_any_more(
    library_db: async_sessionmaker[AsyncSession],
) -> None:
    from server.app import domain_eraser

    db = library_db
    member = await make_user(db, "lid@example.org", ("educator",), "Lid Zwolle")
    async with db() as session:
        await access.set_memberships(session, member.id, ["zwolle", "gelderse-vallei"])
    erase = domain_eraser()
    report = await erase(db, ErasureAsk(Person.by_account("lid@example.org")), None, None)
    assert report.tables["user_regions"] == 2 and report.tables["user_roles"] == 1
    async with db() as session:
        assert await access.memberships_of(session, member) == frozenset()
    again = await erase(db, ErasureAsk(Person("account_id", str(member.id))))  # a replay
    assert not again.changed


async def test_a_coordinator_withdraws_a_kept_outcome_on_request(
    client: httpx.AsyncClient, library_db: async_sessionmaker[AsyncSession]
) -> None:
    """docs/privacy.md: once its session is gone, a participant's link no longer reaches a
    shared outcome; a coordinator withdraws it on request, and it leaves every surface at once."""
    db = library_db
    async with db() as session:
        kept = await session.scalar(select(OutcomeRow).where(OutcomeRow.title == "Open uitkomst"))
        assert kept is not None and kept.session_id is None
    page = f"/uitkomsten/{kept.public_id}"
    action = f"{page}/intrekken"
    async with httpx.AsyncClient(
        transport=client._transport, base_url=str(client.base_url)
    ) as anyone:
        assert (await anyone.get(page)).status_code == 200
        assert "Open uitkomst" in (await anyone.get("/bibliotheek")).text

        # Nobody but a coordinator may: not a visitor, not a facilitator.
        refused = await anyone.post(action, data={"csrf_token": await csrf_token(anyone)})
        assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
        await make_user(db, "fa@example.org", ("facilitator",), "Fa")
        await log_in(client, "fa@example.org")
        assert "Uitkomst intrekken" not in (await client.get(page)).text
        assert (await submit(client, page, action, {})).status_code == 403
        assert (await anyone.get(page)).status_code == 200

        await make_user(db, "co@example.org", ("coordinator",), "Coördinator")
    async with httpx.AsyncClient(
        transport=client._transport, base_url=str(client.base_url)
    ) as coordinator:
        await log_in(coordinator, "co@example.org")
        shown = await coordinator.get(page)
        assert "Uitkomst intrekken" in shown.text
        done = await submit(coordinator, page, action, {})
        assert done.status_code == 303 and done.headers["location"] == f"{page}?ingetrokken=1"
        after = await coordinator.get(done.headers["location"])
        assert "De uitkomst is ingetrokken" in after.text
        assert "Uitkomst intrekken" not in after.text  # nothing left to withdraw
    async with httpx.AsyncClient(
        transport=client._transport, base_url=str(client.base_url)
    ) as anyone:
        assert (await anyone.get(page)).status_code == 404
        assert "Open uitkomst" not in (await anyone.get("/bibliotheek")).text
        listed = (await anyone.get("/api/outcomes")).json()["outcomes"]
        assert "Open uitkomst" not in [o["title"] for o in listed]
    assert await _titles(db, None, q="wijkteams") == set()
    async with db() as session:
        row = await session.get(OutcomeRow, kept.id)
        assert row is not None and row.sharing == "group"
        entries = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "outcome.withdraw"))
        )
    assert [(e.target, e.detail) for e in entries] == [
        (f"outcome:{kept.public_id}", "open -> group")
    ]
