"""The harvest page refuses bad input, other sessions' participants, observers and sessions
that never ran, and nothing is stored."""

from __future__ import annotations

from collections.abc import Sequence

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from sessions import events as ev
from sessions.tokens import participant_cookie
from tests.helpers import csrf_token
from tests.sessions.harvest import (
    GOALS,
    SAVED,
    answer,
    audit,
    begin,
    joined_session,
    participant_of,
    session_row,
    stored,
    submit_events,
)
from tests.sessions.pages import (
    end,
    form_fields,
    join,
    new_session,
    other_client,
    text_of,
    value_of,
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
