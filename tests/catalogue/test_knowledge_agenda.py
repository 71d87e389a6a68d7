"""The region's knowledge agenda: open questions from outcomes, marked taken up by coordinators.

Questions are inserted straight into the tables, as catalogue/outcomes/actions.py writes them when
an outcome is saved.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from html import unescape

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalogue.library import access
from catalogue.outcomes.models import KnowledgeQuestion, OutcomeRow
from server.formatting import format_date
from server.models import User
from tests.catalogue.test_pages import text_of
from tests.helpers import csrf_token, log_in, make_user, submit

pytestmark = pytest.mark.usefixtures("seeded")

ZWOLLE = "/regios/zwolle"
SAME = "(as written)"


@dataclass(frozen=True)
class Question:
    id: int
    outcome: str  # public id
    text: str


async def add_question(
    db: async_sessionmaker[AsyncSession],
    text: str,
    sharing: str = "region",
    region: str = "zwolle",
    held_on: dt.date = dt.date(2026, 11, 12),
    title: str = "Intervisie wijkteam Noord",
    shared_text: str | None = SAME,
    shared_title: str | None = SAME,
) -> Question:
    """An outcome with one question. Unless told otherwise, the sharing gate left the question
    and the title as they were (`shared_text`, `shared_title`; None: never gated)."""
    shared_text = text if shared_text is SAME else shared_text
    shared_title = title if shared_title is SAME else shared_title
    gated = None
    if shared_title is not None:
        gated = {
            "gate": 1,
            "title": shared_title,
            "summary": "",
            "insights": "",
            "actions": "",
            "products": [],
            "questions": [shared_text or ""],
            "captured": {},
            "pseudonyms": {},
        }
    async with db() as session:
        outcome = OutcomeRow(
            public_id=uuid.uuid4().hex[:20],
            variant_slug="intervisie",
            region_slug=region,
            title=title,
            held_on=dt.datetime.combine(held_on, dt.time(14), tzinfo=dt.UTC),
            sharing=sharing,
            gated=gated,
        )
        session.add(outcome)
        await session.flush()
        question = KnowledgeQuestion(
            outcome_id=outcome.id, region_slug=region, text=text, shared_text=shared_text
        )
        session.add(question)
        await session.commit()
        return Question(question.id, outcome.public_id, text)


async def stored(db: async_sessionmaker[AsyncSession], question: Question) -> KnowledgeQuestion:
    async with db() as session:
        row = await session.get(KnowledgeQuestion, question.id)
        assert row is not None
        return row


def agenda_of(html: str) -> tuple[str, str]:
    """The text of the page's open questions, and of those taken up ("" when none)."""
    found = re.search(r'<section aria-labelledby="kennisvragen">(.*?)</section>', html, re.S)
    assert found, "no knowledge agenda on the page"
    text = text_of(found.group(1))
    assert text.startswith("Open kennisvragen"), text
    still_open, _, taken_up = text.partition(" Opgepakt ")
    return still_open, taken_up


@pytest.fixture
async def coordinator(client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]) -> User:
    user = await make_user(db, email="carla@example.org", roles=["coordinator"], name="Carla")
    assert (await log_in(client, "carla@example.org")).status_code == 303
    return user


def mark(question: Question) -> str:
    return f"{ZWOLLE}/kennisvragen/{question.id}/opgepakt"


def reopen(question: Question) -> str:
    return f"{ZWOLLE}/kennisvragen/{question.id}/heropenen"


async def test_open_questions_of_shared_outcomes_are_on_the_region_page(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    regional = await add_question(
        db, "Hoe houden we bewoners betrokken na de pilot?", "region", held_on=dt.date(2026, 11, 3)
    )
    national = await add_question(db, "Wat werkt bij schuldhulp op afstand?", "national")
    open_ = await add_question(db, "Welke rol krijgt de ervaringsdeskundige?", "open")
    group = await add_question(db, "Alleen voor de groep: wie doet wat?", "group")
    elsewhere = await add_question(db, "Een vraag uit Gelderland", "open", region="gelderse-vallei")
    # A member of the Werkplaats reads its outcomes at every level beyond the group.
    member = await make_user(db, email="lid@example.org", roles=["educator"], name="Lid")
    async with db() as session:
        await access.set_memberships(session, member.id, ["zwolle"])
    assert (await log_in(client, "lid@example.org")).status_code == 303

    page = await client.get(ZWOLLE)
    assert page.status_code == 200
    agenda, taken_up = agenda_of(page.text)
    for question in (regional, national, open_):
        assert question.text in agenda
        assert f'href="/uitkomsten/{question.outcome}"' in page.text
    assert "Gesteld op 3 november 2026 in Intervisie wijkteam Noord" in agenda
    assert agenda.index(national.text) < agenda.index(regional.text)  # newest session first
    # A question is its outcome's content: shared with the group only, it stays there.
    assert group.text not in page.text and group.outcome not in page.text
    assert elsewhere.text not in page.text
    assert taken_up == ""
    assert "/opgepakt" not in page.text  # only coordinators get buttons

    # The English address leads to the same page.
    alias = await client.get("/regions/zwolle", follow_redirects=True)
    assert alias.status_code == 200 and regional.text in alias.text


async def test_each_visitor_sees_the_questions_of_exactly_the_outcomes_they_may_read(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    """One rule (docs/knowledge-agenda.md): a question, and its outcome's title and link, is
    shown to whoever may read its outcome (catalogue.library.access.may_read); never a link that is
    404 for the visitor, never a question of an outcome they cannot read."""
    regional = await add_question(db, "Hoe houden we bewoners betrokken?", "region", title="RegioT")
    national = await add_question(db, "Wat werkt bij schuldhulp?", "national", title="LandT")
    open_ = await add_question(
        db, "Welke rol krijgt de ervaringsdeskundige?", "open", title="OpenT"
    )
    group = await add_question(db, "Wie belt de gemeente?", "group", title="GroepT")
    titles = {regional: "RegioT", national: "LandT", open_: "OpenT", group: "GroepT"}

    async def seen(visitor: httpx.AsyncClient) -> set[Question]:
        page = await visitor.get(ZWOLLE)
        assert page.status_code == 200
        agenda, _ = agenda_of(page.text)
        shown = {q for q in titles if q.text in agenda}
        linked = set(re.findall(r'href="/uitkomsten/([^"?#]+)"', page.text))
        assert linked == {q.outcome for q in shown}
        for public_id in linked:  # every link opens for this visitor
            assert (await visitor.get(f"/uitkomsten/{public_id}")).status_code == 200
        for question, title in titles.items():
            assert (title in agenda) == (question in shown), title
        return shown

    assert await seen(client) == {open_}  # anonymous
    await make_user(db, email="ander@example.org", roles=["educator"], name="Geen Lid")
    member = await make_user(db, email="lid@example.org", roles=["educator"], name="Lid")
    async with db() as session:
        await access.set_memberships(session, member.id, ["zwolle"])
    assert (await log_in(client, "ander@example.org")).status_code == 303
    assert await seen(client) == {national, open_}
    other = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with other:
        assert (await log_in(other, "lid@example.org")).status_code == 303
        assert await seen(other) == {regional, national, open_}


async def test_the_region_page_shows_only_what_passed_the_sharing_gate(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    """Questions and titles leave the group only as the sharing gate made them
    (`KnowledgeQuestion.shared_text`, `OutcomeRow.gated["title"]`), also for coordinators; a
    question that was never gated is shown to coordinators only, without its text."""
    gated = await add_question(
        db,
        "Wat vindt Fatima El Moussaoui ervan?",
        "open",
        title="Casus van Joost Wiegersma",
        shared_text="Wat vindt [persoon] ervan?",
        shared_title="Casus van [persoon]",
    )
    never = await add_question(
        db,
        "Belt Henk de Vries zelf?",
        "open",
        title="Casus van Henk de Vries",
        shared_text=None,
        shared_title=None,
    )
    secret = ("Moussaoui", "Fatima", "Wiegersma", "Joost", "Henk", "Vries")

    def check(html: str) -> str:
        agenda, _ = agenda_of(html)
        for word in secret:
            assert word not in unescape(html), word
        assert "Wat vindt [persoon] ervan?" in agenda
        assert "Casus van [persoon]" in agenda
        return agenda

    agenda = check((await client.get(ZWOLLE)).text)
    assert never.outcome not in agenda
    await make_user(db, email="carla@example.org", roles=["coordinator"], name="Carla")
    assert (await log_in(client, "carla@example.org")).status_code == 303
    page = (await client.get(ZWOLLE)).text
    agenda = check(page)
    assert f'href="/uitkomsten/{gated.outcome}"' in page
    assert f'href="/uitkomsten/{never.outcome}"' in page  # a coordinator may open it
    assert "Deze vraag is nog niet nagekeken op namen en andere persoonsgegevens" in agenda


async def test_a_region_without_questions_says_so(client: httpx.AsyncClient) -> None:
    page = await client.get(ZWOLLE)
    assert "Nog geen open kennisvragen." in text_of(page.text)


async def test_a_coordinator_sees_every_question_marks_one_taken_up_and_undoes_it(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], coordinator: User
) -> None:
    first = await add_question(db, "Hoe meten we of de aanpak werkt?", "region")
    private = await add_question(db, "Wie neemt contact op met de gemeente?", "group")

    page = await client.get(ZWOLLE)
    agenda, _ = agenda_of(page.text)
    assert first.text in agenda and private.text in agenda
    assert "Alleen coördinatoren zien deze vraag: de uitkomst is alleen met de groep gedeeld." in (
        agenda
    )
    assert "Alleen leden van deze Werkplaats en coördinatoren zien deze vraag" in agenda
    assert agenda.count("Markeer als opgepakt") == 2

    marked = await submit(client, ZWOLLE, mark(first), {})
    assert marked.status_code == 303
    assert marked.headers["location"] == f"{ZWOLLE}#kennisvragen"
    row = await stored(db, first)
    assert row.addressed_by == coordinator.id
    assert row.addressed_at is not None
    assert dt.datetime.now(dt.UTC) - row.addressed_at < dt.timedelta(minutes=1)

    page = await client.get(ZWOLLE)
    still_open, taken_up = agenda_of(page.text)
    assert first.text not in still_open and private.text in still_open
    assert first.text in taken_up
    assert f"opgepakt op {format_date(row.addressed_at, language='nl')}" in taken_up
    assert "Terug op de open agenda" in taken_up

    # Marking it again keeps the first date.
    assert (await submit(client, ZWOLLE, mark(first), {})).status_code == 303
    assert (await stored(db, first)).addressed_at == row.addressed_at

    undone = await submit(client, ZWOLLE, reopen(first), {})
    assert undone.status_code == 303
    row = await stored(db, first)
    assert row.addressed_at is None and row.addressed_by is None
    page = await client.get(ZWOLLE)
    still_open, taken_up = agenda_of(page.text)
    assert first.text in still_open and taken_up == ""


async def test_only_a_coordinator_may_mark_a_question(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    question = await add_question(db, "Hoe delen we wat we leerden met het onderwijs?")

    # A visitor, with a valid CSRF token.
    token = await csrf_token(client, "/login")
    visitor = await client.post(mark(question), data={"csrf_token": token})
    assert visitor.status_code == 303  # sent to log in first
    assert visitor.headers["location"].startswith("/login?next=")

    # A facilitator is logged in, but not a coordinator.
    await make_user(db, email="fenna@example.org", roles=["facilitator"])
    assert (await log_in(client, "fenna@example.org")).status_code == 303
    refused = await submit(client, ZWOLLE, mark(question), {})
    assert refused.status_code == 403
    assert "Je account heeft niet de rol die hiervoor nodig is." in refused.text
    assert (await stored(db, question)).addressed_at is None

    # Without a token, nobody gets through (not even to the role check).
    no_token = await client.post(mark(question), data={})
    assert no_token.status_code == 403
    assert (await stored(db, question)).addressed_at is None


async def test_a_question_of_another_region_or_none_at_all_is_not_found(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], coordinator: User
) -> None:
    elsewhere = await add_question(db, "Een vraag uit Gelderland", region="gelderse-vallei")
    wrong_region = await submit(client, ZWOLLE, mark(elsewhere), {})
    assert wrong_region.status_code == 404
    assert (await stored(db, elsewhere)).addressed_at is None
    missing = Question(elsewhere.id + 1000, "", "")
    assert (await submit(client, ZWOLLE, mark(missing), {})).status_code == 404
    huge = Question(2**40, "", "")
    assert (await submit(client, ZWOLLE, reopen(huge), {})).status_code == 404
    unknown_region = await submit(
        client, ZWOLLE, f"/regios/atlantis/kennisvragen/{elsewhere.id}/opgepakt", {}
    )
    assert unknown_region.status_code == 404


async def test_a_question_is_shown_as_text(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], coordinator: User
) -> None:
    text = '<script>alert("x")</script> Werkt <b>dit</b> & "dat"?'
    question = await add_question(db, text, title="<i>Titel</i>")
    page = await client.get(ZWOLLE)
    assert "<script>alert" not in page.text and "<b>dit</b>" not in page.text
    assert "<i>Titel</i>" not in page.text
    assert "&lt;script&gt;" in page.text and "&lt;i&gt;Titel&lt;/i&gt;" in page.text
    assert text in unescape(page.text)
    assert question.outcome in page.text
