"""The harvest: a participant rates the goals, writes a takeaway and consents to sharing, through
the page /s/{public_id}/oogst (as a browser without scripts uses it), on every backend."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from catalogue.outcomes.models import OutcomeRow
from sessions.harvest import queries
from sessions.harvest.answers import consents, rating_means
from tests.sessions.harvest import (
    SAVED,
    answer,
    audit,
    joined_session,
    participant_of,
    radio_choices,
    session_row,
    stored,
)
from tests.sessions.pages import (
    change,
    end,
    form_fields,
    other_client,
    post_form,
    text_of,
    value_of,
)

# Answering ----------------------------------------------------------------------------------


async def test_a_participant_rates_the_goals_and_consents(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    async with other_client(app) as anna:
        public_id = await joined_session(client, db, app, anna)
        participant = participant_of(app, anna, public_id)
        page = await anna.get(f"/s/{public_id}/oogst")
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        shown = text_of(page.text)
        for text in (
            "Oogst: Intervisie Noord",
            "Reflecteren",
            "Casus oplossen",
            "1 (helemaal niet)",
            "5 (helemaal wel)",
            "Wat neem je mee?",
            "Mag wat jij hebt ingebracht gedeeld worden buiten deze groep?",
            "Nee",
            "Binnen de regio (Werkplaats)",
            "Landelijk",
            "Open, onder CC BY 4.0",
            "altijd zonder je naam gedeeld",
            "later nog veranderen via deze zelfde link",
            "minder delen geldt meteen, meer delen geldt pas als de begeleider de uitkomst",
        ):
            assert text in shown, text
        assert radio_choices(page.text, "rating-reflecteren") == ["1", "2", "3", "4", "5", ""]
        assert radio_choices(page.text, "consent") == ["no", "region", "national", "open"]
        assert 'name="csrf_token"' in page.text and 'style="' not in page.text

        saved = await answer(
            anna,
            public_id,
            **{
                "rating-reflecteren": "4",
                "rating-casus-oplossen": "2",
                "takeaway": "Vaker doorvragen\r\nvoordat ik advies geef",
                "consent": "region",
            },
        )
        assert saved.status_code == 200, text_of(saved.text)
        assert SAVED in text_of(saved.text)

    [response] = await stored(db)
    row = await session_row(db, public_id)
    assert (response.session_id, response.participant) == (row.id, participant)
    assert response.ratings == {"reflecteren": 4, "casus-oplossen": 2}
    assert response.takeaway == "Vaker doorvragen\nvoordat ik advies geef"
    assert response.consent == "region"
    [entry] = await audit(db)
    assert (entry.action, entry.target, entry.detail, entry.actor) == (
        "consent.change",
        f"session:{public_id}/{participant}",
        "no -> region",
        "participant",
    )


async def test_the_page_is_prefilled_and_a_second_answer_replaces_the_first(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    async with other_client(app) as anna:
        public_id = await joined_session(client, db, app, anna)
        first = await answer(
            anna,
            public_id,
            **{
                "rating-reflecteren": "5",
                "rating-casus-oplossen": "3",
                "takeaway": "Eerste gedachte",
                "consent": "national",
            },
        )
        assert first.status_code == 200
        again = await anna.get(f"/s/{public_id}/oogst")
        assert "Je hebt dit al eerder ingevuld." in text_of(again.text)
        fields = form_fields(again.text, f"/s/{public_id}/oogst")
        assert value_of(fields, "rating-reflecteren") == "5"
        assert value_of(fields, "rating-casus-oplossen") == "3"
        assert value_of(fields, "takeaway") == "Eerste gedachte"
        assert value_of(fields, "consent") == "national"

        second = await post_form(
            anna,
            f"/s/{public_id}/oogst",
            change(
                fields,
                **{"rating-reflecteren": "2", "rating-casus-oplossen": "", "takeaway": "Later"},
            ),
        )
        assert second.status_code == 200 and SAVED in text_of(second.text)

    [response] = await stored(db)  # one row per participant
    assert response.ratings == {"reflecteren": 2}  # "weet ik niet" takes the rating back
    assert (response.takeaway, response.consent) == ("Later", "national")
    assert [e.detail for e in await audit(db)] == ["no -> national"]  # consent did not change

    row = await session_row(db, public_id)
    async with db() as session:
        answers = await queries.responses(session, row.id)
    assert rating_means(answers, ["reflecteren", "casus-oplossen"]) == {"reflecteren": (1, 2.0)}
    assert consents(answers) == {answers[0].participant: "national"}


async def test_consent_can_be_changed_after_the_session_ended_and_is_audited_without_text(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    takeaway = "Mijn eigen woorden over de casus van Bram"
    async with other_client(app) as anna:
        public_id = await joined_session(client, db, app, anna)
        participant = participant_of(app, anna, public_id)
        await answer(anna, public_id, takeaway=takeaway, consent="open")
        await end(app, db, public_id)
        later = await answer(anna, public_id, consent="no")
        assert later.status_code == 200 and SAVED in text_of(later.text)
        withdrawn = await anna.get(f"/s/{public_id}/oogst")
        assert value_of(form_fields(withdrawn.text, f"/s/{public_id}/oogst"), "consent") == "no"

    [response] = await stored(db)
    assert (response.consent, response.takeaway) == ("no", takeaway)
    entries = await audit(db)
    assert [(e.action, e.target, e.detail) for e in entries] == [
        ("consent.change", f"session:{public_id}/{participant}", "no -> open"),
        ("consent.change", f"session:{public_id}/{participant}", "open -> no"),
    ]
    for entry in entries:
        for value in (entry.actor, entry.action, entry.target, entry.detail):
            assert "woorden" not in value and "Anna" not in value and "Bram" not in value


async def test_the_facilitator_answers_with_the_account(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    async with other_client(app) as anna:
        public_id = await joined_session(client, db, app, anna)
    saved = await answer(client, public_id, **{"rating-reflecteren": "3", "consent": "open"})
    assert saved.status_code == 200
    [response] = await stored(db)
    assert response.participant == "u1"
    [entry] = await audit(db)
    assert (entry.actor, entry.actor_id, entry.target) == (
        "account:1",
        1,
        f"session:{public_id}/u1",
    )


async def test_an_outcome_of_a_session_without_a_region_cannot_be_shared_in_its_region(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    """Region-level outcomes are read by the members of the session's region: without one,
    nobody but coordinators would. The form says so instead of offering it."""
    async with other_client(app) as anna:
        public_id = await joined_session(client, db, app, anna)  # started without a region
        assert SAVED in text_of((await answer(anna, public_id, consent="open")).text)
    await end(app, db, public_id)
    compose = f"/sessies/{public_id}/uitkomst"
    page = await client.get(compose)
    assert re.search(r'value="region"[^>]*disabled', page.text), text_of(page.text)
    assert "Niet mogelijk: deze sessie hoort bij geen Werkplaats" in text_of(page.text)
    assert "kennisagenda" not in text_of(page.text)
    fields = change(form_fields(page.text, compose), sharing="region")
    refused = await post_form(client, compose, [*fields, ("op", "save")])
    assert refused.status_code == 422
    assert "hoort bij geen Werkplaats" in text_of(refused.text)
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(OutcomeRow)) == 0
    fields = change(form_fields(page.text, compose), sharing="national")
    assert (await post_form(client, compose, [*fields, ("op", "save")])).status_code == 303
