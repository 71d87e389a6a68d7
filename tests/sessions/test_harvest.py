"""The harvest: a participant rates the goals, writes a takeaway and consents to sharing, through
the page /s/{public_id}/oogst (as a browser without scripts uses it), on every backend."""

from __future__ import annotations

import re
from collections.abc import Sequence

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from catalogue.outcomes.models import CONSENT_LEVELS
from server.models import AuditEntry
from sessions import events as ev
from sessions.harvest import queries
from sessions.harvest.answers import consents, rating_means
from sessions.harvest.pages import CONSENT_CHOICES
from sessions.models import HarvestResponse, LiveSession
from sessions.pages import participant_cookie
from sessions.tokens import read_token
from tests.helpers import csrf_token
from tests.sessions.test_pages import (
    change,
    end,
    facilitator,
    form_fields,
    join,
    new_session,
    other_client,
    post_form,
    text_of,
    value_of,
)

GOALS = "?variant=intervisie&goal=reflecteren&goal=casus-oplossen"
SAVED = "Bedankt! Je antwoorden zijn opgeslagen."


# Helpers ------------------------------------------------------------------------------------


async def session_row(db: async_sessionmaker[AsyncSession], public_id: str) -> LiveSession:
    async with db() as session:
        row = await session.scalar(select(LiveSession).where(LiveSession.public_id == public_id))
    assert row is not None
    return row


async def submit_events(
    app: Starlette,
    db: async_sessionmaker[AsyncSession],
    public_id: str,
    *bodies: ev.EventBody,
) -> None:
    row = await session_row(db, public_id)
    await app.state.session_engine.submit(row.id, None, None, lambda s, now: list(bodies))


async def begin(app: Starlette, db: async_sessionmaker[AsyncSession], public_id: str) -> None:
    """The facilitator starts the first phase: the session has run."""
    await submit_events(app, db, public_id, ev.PhaseStarted(0, None))


async def stored(db: async_sessionmaker[AsyncSession]) -> list[HarvestResponse]:
    async with db() as session:
        return list(await session.scalars(select(HarvestResponse)))


async def audit(db: async_sessionmaker[AsyncSession]) -> list[AuditEntry]:
    async with db() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def participant_of(app: Starlette, client: httpx.AsyncClient, public_id: str) -> str:
    token = client.cookies[participant_cookie(public_id)]
    participant = read_token(app.state.settings.secret_key, public_id, token)
    assert participant is not None
    return participant


async def joined_session(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    app: Starlette,
    anna: httpx.AsyncClient,
    started: bool = True,
) -> str:
    """A session with two goals that Anna joined (and that has started); its public id."""
    await facilitator(client, db)
    public_id, code = await new_session(client, query=GOALS, title="Intervisie Noord")
    assert (await join(anna, code, "Anna de Boer")).status_code == 303
    if started:
        await begin(app, db, public_id)
    return public_id


async def answer(client: httpx.AsyncClient, public_id: str, **values: str) -> httpx.Response:
    """Open the harvest page, change some fields (or add them), and save."""
    page = await client.get(f"/s/{public_id}/oogst")
    assert page.status_code == 200, text_of(page.text)
    fields = change(form_fields(page.text, f"/s/{public_id}/oogst"), **values)
    extra = [(k, v) for k, v in values.items() if k not in dict(fields)]
    return await post_form(client, f"/s/{public_id}/oogst", [*fields, *extra])


def radio_choices(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="radio" name="{re.escape(name)}" value="([^"]*)"', html)


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


# Bad input ----------------------------------------------------------------------------------

BAD: Sequence[tuple[dict[str, str], str]] = (
    (
        {"rating-reflecteren": "0"},
        "Kies een heel getal van 1 (helemaal niet) tot 5 (helemaal wel) voor “Reflecteren”.",
    ),
    (
        {"rating-reflecteren": "6"},
        "Kies een heel getal van 1 (helemaal niet) tot 5 (helemaal wel) voor “Reflecteren”.",
    ),
    (
        {"rating-casus-oplossen": "drie"},
        "Kies een heel getal van 1 (helemaal niet) tot 5 (helemaal wel) voor “Casus oplossen”.",
    ),
    (
        {"rating-innoveren": "3"},
        "“innoveren” is geen doel van deze sessie. Je kunt alleen de doelen van deze sessie"
        " beoordelen: Reflecteren, Casus oplossen.",
    ),
    (
        {"consent": "everyone"},
        "“everyone” is geen van de keuzes. Kies nee, binnen de regio, landelijk of open.",
    ),
    (
        {"consent": ""},
        "Kies of wat jij hebt ingebracht gedeeld mag worden buiten deze groep: nee, binnen de"
        " regio, landelijk of open.",
    ),
    (
        {"takeaway": "x" * 2001},
        "Wat je meeneemt is 2001 tekens lang. Er mogen hoogstens 2000 tekens in.",
    ),
)


async def test_bad_input_is_refused_with_its_message_and_nothing_is_stored(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    typed = "<b>Wat ik meeneem</b>"
    good = {"rating-reflecteren": "4", "takeaway": typed, "consent": "region"}
    async with other_client(app) as anna:
        public_id = await joined_session(client, db, app, anna)
        for values, message in BAD:
            refused = await answer(anna, public_id, **{**good, **values})
            assert refused.status_code == 422, values
            shown = text_of(refused.text)
            assert message in shown, (values, shown)
            assert "Verbeter dit alsjeblieft" in shown and SAVED not in shown
            assert await stored(db) == [] and await audit(db) == []
            # What was typed is kept, as text.
            if "takeaway" not in values:
                assert "&lt;b&gt;Wat ik meeneem&lt;/b&gt;" in refused.text
                assert typed not in refused.text
            kept = form_fields(refused.text, f"/s/{public_id}/oogst")
            if values.get("consent") == "":
                assert "consent" not in dict(kept)
            elif "consent" not in values:
                assert value_of(kept, "consent") == "region"

        # A good answer first; a bad one later changes nothing of it.
        assert (await answer(anna, public_id, **good)).status_code == 200
        before = [(r.ratings, r.takeaway, r.consent) for r in await stored(db)]
        refused = await answer(anna, public_id, **{"rating-reflecteren": "6", "consent": "no"})
        assert refused.status_code == 422
        assert [(r.ratings, r.takeaway, r.consent) for r in await stored(db)] == before
        assert [e.detail for e in await audit(db)] == ["no -> region"]


async def test_without_this_sessions_participant_token_nothing_is_stored(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    async with other_client(app) as anna:
        public_id = await joined_session(client, db, app, anna)
        token = anna.cookies[participant_cookie(public_id)]
    other, _ = await new_session(client, query=GOALS, title="Een andere sessie")
    await begin(app, db, other)
    fields = {"rating-reflecteren": "4", "consent": "open", "takeaway": "iets"}
    unknown = "We weten niet wie je bent in deze sessie."
    async with other_client(app) as stranger:
        page = await stranger.get(f"/s/{public_id}/oogst")
        assert page.status_code == 403 and unknown in text_of(page.text)
        assert 'name="consent"' not in page.text
        data = {**fields, "csrf_token": await csrf_token(stranger)}
        posted = await stranger.post(f"/s/{public_id}/oogst", data=data)
        assert posted.status_code == 403 and unknown in text_of(posted.text)
        csrf = stranger.cookies["werkplaats_csrf"]

        def cookie(session: str, value: str) -> dict[str, str]:
            return {"cookie": f"werkplaats_csrf={csrf}; {participant_cookie(session)}={value}"}

        # Anna's token works in her session's cookie (the way these posts are made is sound) …
        mine = await stranger.get(f"/s/{public_id}/oogst", headers=cookie(public_id, token))
        assert mine.status_code == 200 and 'name="consent"' in mine.text
        # … but not in the cookie of another session, nor forged.
        for session, value in ((other, token), (public_id, token + "x"), (public_id, "")):
            refused = await stranger.post(
                f"/s/{session}/oogst", data=data, headers=cookie(session, value)
            )
            assert refused.status_code == 403 and unknown in text_of(refused.text), value
        assert (await stranger.get("/s/bestaat-niet/oogst")).status_code == 404
    assert await stored(db) == [] and await audit(db) == []


async def test_a_session_that_never_ran_has_no_harvest(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    message = "Deze sessie is nog niet begonnen. Er is dus nog niets te oogsten."
    async with other_client(app) as anna:
        public_id = await joined_session(client, db, app, anna, started=False)
        page = await anna.get(f"/s/{public_id}/oogst")
        assert page.status_code == 409 and message in text_of(page.text)
        data = {"rating-reflecteren": "4", "consent": "open", "csrf_token": await csrf_token(anna)}
        posted = await anna.post(f"/s/{public_id}/oogst", data=data)
        assert posted.status_code == 409 and message in text_of(posted.text)
        await end(app, db, public_id)  # ended without ever starting: still nothing to harvest
        assert (await anna.post(f"/s/{public_id}/oogst", data=data)).status_code == 409
    assert await stored(db) == [] and await audit(db) == []


async def test_observers_and_removed_participants_are_refused(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    async with other_client(app) as anna, other_client(app) as bram:
        public_id = await joined_session(client, db, app, anna)
        code = (await session_row(db, public_id)).join_code
        await join(bram, code, "Bram")
        await submit_events(
            app,
            db,
            public_id,
            ev.RoleChanged(participant_of(app, anna, public_id), "observer"),
            ev.ParticipantRemoved(participant_of(app, bram, public_id)),
        )
        for who, status, message in (
            (anna, 403, "Je deed mee als toeschouwer. Toeschouwers vullen de oogst niet in."),
            (bram, 403, "Je bent uit deze sessie verwijderd."),
        ):
            page = await who.get(f"/s/{public_id}/oogst")
            assert page.status_code == status and message in text_of(page.text)
            data = {"consent": "open", "csrf_token": await csrf_token(who)}
            posted = await who.post(f"/s/{public_id}/oogst", data=data)
            assert posted.status_code == status and message in text_of(posted.text)
    assert await stored(db) == [] and await audit(db) == []


async def test_the_page_speaks_english_too(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    async with other_client(app) as anna:
        public_id = await joined_session(client, db, app, anna)
        page = await anna.get(f"/s/{public_id}/oogst", headers={"accept-language": "en"})
        shown = text_of(page.text)
        assert "What do you take with you?" in shown and "Reflecting" in shown
        assert "1 (not at all)" in shown and "Openly, under CC BY 4.0" in shown
        assert "May what you contributed be shared outside this group?" in shown


# The page's consent question ---------------------------------------------------------------


def test_the_page_offers_every_consent_level_narrowest_first() -> None:
    assert tuple(level for level, _, _ in CONSENT_CHOICES) == CONSENT_LEVELS
