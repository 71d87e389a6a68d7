"""Evidence keeps where each session was held (issue 17, "Evidence that travels where it should").

- A session run through its pages (start, join, harvest, compose) gives an outcome that stores
  its way of meeting and its group size (participants only), and the library's API says both.
- `load_evidence` reads each session's rating from the database and gives the same evidence as
  `evidence_table` on the same sessions: the sessions per situation, and one outlier among six
  consistent sessions set aside.
- Migration 0011 adds the two columns to a database with outcomes: those stay, situation unknown.

On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import httpx
import pytest
from alembic import command
from sqlalchemy import Connection, inspect, select
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from catalogue.evidence.queries import load_evidence
from catalogue.evidence.summary import SessionRating, attainment, evidence_table
from catalogue.matching.belief import Situation, SituationTally
from catalogue.outcomes.models import OutcomeRating, OutcomeRow
from catalogue.outcomes.sharing import shared_version
from server.db import create_engine, sessionmaker
from server.migrate import alembic_config, upgrade
from sessions import events as ev
from tests.sessions.harvest import answer, begin, participant_of, submit_events
from tests.sessions.pages import (
    end,
    facilitator,
    form_fields,
    join,
    new_session,
    other_client,
    post_form,
    text_of,
)

ON_SITE_SMALL = Situation("on-site", "small")


async def test_an_outcome_composed_after_a_session_keeps_where_it_was_held(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
    app: Starlette,
) -> None:
    """An on-site session with three participants, an observer and someone removed: its outcome
    says "on-site" and 3 (the facilitator, the observer and the removed one not counted)."""
    await facilitator(client, db)
    public_id, code = await new_session(
        client,
        query="?variant=intervisie&goal=reflecteren",
        title="Intervisie Zuid",
        modality="on-site",
    )
    async with (
        other_client(app) as anna,
        other_client(app) as bram,
        other_client(app) as cor,
        other_client(app) as olaf,
        other_client(app) as rik,
        other_client(app) as anonymous,
    ):
        for person, name in (
            (anna, "Anna"),
            (bram, "Bram"),
            (cor, "Cor"),
            (olaf, "Olaf"),
            (rik, "Rik"),
        ):
            assert (await join(person, code, name)).status_code == 303
        await submit_events(
            app,
            db,
            public_id,
            ev.RoleChanged(participant_of(app, olaf, public_id), "observer"),
            ev.ParticipantRemoved(participant_of(app, rik, public_id)),
        )
        await begin(app, db, public_id)
        for person, rating in ((anna, "4"), (bram, "5")):
            answered = await answer(
                person, public_id, **{"rating-reflecteren": rating, "consent": "open"}
            )
            assert answered.status_code == 200, text_of(answered.text)
        await end(app, db, public_id)

        page = await client.get(f"/sessies/{public_id}/uitkomst")
        assert page.status_code == 200, text_of(page.text)
        fields = [
            (name, value)
            for name, value in form_fields(page.text, f"/sessies/{public_id}/uitkomst")
            if name not in ("summary", "sharing", "op")
        ]
        fields += [("summary", "Grenzen stellen helpt."), ("sharing", "open"), ("op", "save")]
        saved = await post_form(client, f"/sessies/{public_id}/uitkomst", fields)
        assert saved.status_code == 303, text_of(saved.text)
        outcome_id = saved.headers["location"].split("?")[0].removeprefix("/uitkomsten/")

        async with db() as session:
            row = await session.scalar(select(OutcomeRow).where(OutcomeRow.public_id == outcome_id))
            assert row is not None
            assert (row.modality, row.group_size) == ("on-site", 3)
            # The evidence read from the database keeps the session in its situation.
            evidence = await load_evidence(session, "intervisie")
        found = evidence[("intervisie", "reflecteren")]
        assert found.situations == (SituationTally(ON_SITE_SMALL, 1, attainment(4.5)),)
        assert found.set_aside == 0

        # Anyone reads where it was held in the library's API (the outcome is shared openly).
        api = await anonymous.get("/api/outcomes")
        assert api.status_code == 200, api.text
        hits = {hit["public_id"]: hit for hit in api.json()["outcomes"]}
        assert (hits[outcome_id]["modality"], hits[outcome_id]["group_size"]) == ("on-site", 3)


def test_a_shared_version_says_where_the_session_was_held_and_copies_nothing_else() -> None:
    outcome = {"title": "Intervisie", "captured": {}, "consents": {}, "ratings": {}}
    for given, shown in (
        ({"modality": "hybrid", "group_size": 12}, ("hybrid", 12)),
        ({"modality": "on-site", "group_size": 0}, ("on-site", 0)),
        ({}, (None, None)),  # an outcome saved before they were kept
        ({"modality": "by bus", "group_size": -1}, (None, None)),
        ({"modality": ["online"], "group_size": "7"}, (None, None)),
        ({"modality": None, "group_size": True}, (None, None)),
    ):
        version = shared_version({**outcome, **given}, "group")
        assert (version["modality"], version["group_size"]) == shown, given


async def add_outcomes(
    db: async_sessionmaker[AsyncSession],
    variant: str,
    goal: str,
    held: Sequence[tuple[float, str | None, int | None, str | None]],
) -> list[SessionRating]:
    """One outcome per (mean, modality, group size, region), its goal rated with that mean by
    five people; the same sessions as `SessionRating`s, in the order they were saved."""
    made = []
    async with db() as session:
        for i, (mean, modality, group_size, region) in enumerate(held):
            outcome = OutcomeRow(
                public_id=uuid.uuid4().hex[:20],
                variant_slug=variant,
                region_slug=region,
                modality=modality,
                group_size=group_size,
                goals=[goal],
                title=f"Sessie {i + 1}",
                held_on=dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(days=i),
            )
            session.add(outcome)
            await session.flush()
            session.add(OutcomeRating(outcome_id=outcome.id, goal_slug=goal, raters=5, mean=mean))
            made.append(SessionRating(variant, goal, region, 5, mean, modality, group_size))
        await session.commit()
    return made


async def test_the_database_gives_the_evidence_per_situation_with_an_outlier_set_aside(
    db: async_sessionmaker[AsyncSession],
) -> None:
    # Six consistent on-site sessions of small groups, then one that went wrong.
    consistent = [
        (4.0, "on-site", 6, "zwolle"),
        (4.5, "on-site", 8, "gelderse-vallei"),
        (4.0, "on-site", 5, "zwolle"),
        (4.5, "on-site", 7, "zuid-holland-zuid"),
        (4.0, "on-site", 6, "zwolle"),
        (4.2, "on-site", 4, "gelderse-vallei"),
    ]
    sessions = [
        *await add_outcomes(db, "intervisie", "reflecteren", consistent),
        *await add_outcomes(db, "intervisie", "reflecteren", [(1.0, "on-site", 6, "zwolle")]),
        # Another practice in three situations, one of them not known (an older outcome).
        *await add_outcomes(
            db,
            "world-cafe",
            "kennis-delen",
            [
                (4.0, "online", 12, "zwolle"),
                (3.5, "online", 30, "zwolle"),
                (3.0, "hybrid", 15, None),
                (2.5, None, None, "gelderse-vallei"),
            ],
        ),
    ]
    async with db() as session:
        loaded = await load_evidence(session)
        only = await load_evidence(session, "world-cafe")

    assert loaded == evidence_table(sessions)
    assert set(only) == {("world-cafe", "kennis-delen")}

    steady = loaded[("intervisie", "reflecteren")]
    assert steady.sessions == 6 and steady.set_aside == 1
    assert steady.situations == (
        SituationTally(ON_SITE_SMALL, 6, sum(attainment(m) for m, *_ in consistent)),
    )
    assert steady.aside == (SituationTally(ON_SITE_SMALL, 1, 0.0),)
    assert steady.regions == 3

    mixed = loaded[("world-cafe", "kennis-delen")]
    assert mixed.set_aside == 0
    assert {t.situation: t.sessions for t in mixed.situations} == {
        Situation("online", "medium"): 1,
        Situation("online", "large"): 1,
        Situation("hybrid", "medium"): 1,
        Situation(None, None): 1,
    }
    assert {t.situation: t.mean for t in mixed.situations} == pytest.approx(
        {
            Situation("online", "medium"): attainment(4.0),
            Situation("online", "large"): attainment(3.5),
            Situation("hybrid", "medium"): attainment(3.0),
            Situation(None, None): attainment(2.5),
        }
    )


async def test_migration_0011_keeps_earlier_outcomes_with_their_situation_unknown(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine, "0010")
        async with engine.begin() as connection:
            await connection.execute(
                sql(
                    "INSERT INTO outcomes (id, public_id, variant_slug, region_slug, goals, title,"
                    " held_on, summary, insights, actions, products, captured, consents,"
                    " sharing, created_at, updated_at) VALUES (1, 'earlier', 'intervisie',"
                    " 'zwolle', '[\"reflecteren\"]', 'Eerder', :at, '', '', '', '[]', '{}',"
                    " '{}', 'group', :at, :at)"
                ),
                {"at": dt.datetime(2026, 10, 1, tzinfo=dt.UTC)},
            )
            await connection.execute(
                sql(
                    "INSERT INTO outcome_ratings (outcome_id, goal_slug, raters, mean)"
                    " VALUES (1, 'reflecteren', 4, 4.0)"
                )
            )
        await upgrade(engine)

        async with sessionmaker(engine)() as session:
            row = await session.get(OutcomeRow, 1)
            assert row is not None and (row.modality, row.group_size) == (None, None)
            evidence = await load_evidence(session)
        assert evidence[("intervisie", "reflecteren")].situations == (
            SituationTally(Situation(None, None), 1, attainment(4.0)),
        )

        # And back: the columns go, the outcome and its rating stay.
        def downgrade(connection: Connection) -> None:
            command.downgrade(alembic_config(connection), "0010")

        async with engine.begin() as connection:
            await connection.run_sync(downgrade)
        async with engine.connect() as connection:
            kept = (
                await connection.execute(
                    sql(
                        "SELECT o.public_id, r.mean FROM outcomes o"
                        " JOIN outcome_ratings r ON r.outcome_id = o.id"
                    )
                )
            ).all()
            assert [tuple(row) for row in kept] == [("earlier", 4.0)]
            columns = await connection.run_sync(
                lambda sync: {c["name"] for c in inspect(sync).get_columns("outcomes")}
            )
            assert not {"modality", "group_size"} & columns
    finally:
        await engine.dispose()
