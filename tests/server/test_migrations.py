"""Migrations build the schema from an empty database, match the models, and are idempotent."""

from __future__ import annotations

import datetime as dt

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncEngine

import catalogue  # noqa: F401  (domain models register their tables on import)
import sessions  # noqa: F401
from server.db import Base, create_engine
from server.migrate import alembic_config, pending, upgrade


def _not_full_text(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """The full-text search structures of migration 0005 live outside the models: the SQLite
    FTS5 table `outcome_search` (and its shadow tables) and PostgreSQL's GIN expression index."""
    return not (name or "").startswith(("outcome_search", "ix_outcome_texts_body_fts"))


async def test_migrations_build_every_table_from_an_empty_database(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert await pending(engine)  # nothing applied yet
        await upgrade(engine)
        assert await pending(engine) == []
        await upgrade(engine)  # a second run changes nothing

        def differences(connection: Connection) -> list[object]:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": _not_full_text}
            )
            return list(compare_metadata(context, Base.metadata))

        def tables(connection: Connection) -> set[str]:
            return set(inspect(connection).get_table_names())

        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
            assert {"users", "user_roles", "login_sessions"} <= await connection.run_sync(tables)
    finally:
        await engine.dispose()


# Downgrades keep the rows of the tables they do not change --------------------------------------


async def _downgrade(engine: AsyncEngine, revision: str) -> None:
    def run(connection: Connection) -> None:
        command.downgrade(alembic_config(connection), revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def test_downgrading_0010_keeps_every_sessions_event_log(database_url: str) -> None:
    """0010 added a column to live_sessions; taking it away must not take the sessions' event
    logs with it (on SQLite a copied table's old version, dropped with foreign keys on, takes
    its children along: ON DELETE CASCADE)."""
    engine = create_engine(database_url)
    try:
        await upgrade(engine, "0010")
        async with engine.begin() as connection:
            await connection.execute(
                sql(
                    "INSERT INTO live_sessions (id, public_id, join_code, title, created_at,"
                    " last_seq) VALUES (1, 'sessie', 'ABCD-1234', 'Sessie', :at, 1)"
                ),
                {"at": dt.datetime(2026, 12, 1, tzinfo=dt.UTC)},
            )
            await connection.execute(
                sql(
                    "INSERT INTO session_events (session_id, seq, type, at, body)"
                    " VALUES (1, 1, 'session.configured', 0, '{}')"
                )
            )
        await _downgrade(engine, "0009")
        async with engine.connect() as connection:
            kept = (
                await connection.execute(sql("SELECT session_id, seq FROM session_events"))
            ).all()
        assert [tuple(row) for row in kept] == [(1, 1)]
    finally:
        await engine.dispose()


async def test_downgrading_0008_keeps_every_outcomes_ratings(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine, "0008")
        async with engine.begin() as connection:
            await connection.execute(
                sql(
                    "INSERT INTO outcomes (id, public_id, goals, title, held_on, summary,"
                    " insights, actions, products, captured, consents, sharing, created_at,"
                    " updated_at) VALUES (1, 'eerder', '[]', 'Eerder', :at, '', '', '', '[]',"
                    " '{}', '{}', 'group', :at, :at)"
                ),
                {"at": dt.datetime(2026, 10, 1, tzinfo=dt.UTC)},
            )
            await connection.execute(
                sql(
                    "INSERT INTO outcome_ratings (outcome_id, goal_slug, raters, mean)"
                    " VALUES (1, 'reflecteren', 4, 4.0)"
                )
            )
        await _downgrade(engine, "0007")
        async with engine.connect() as connection:
            kept = (await connection.execute(sql("SELECT outcome_id FROM outcome_ratings"))).all()
        assert [tuple(row) for row in kept] == [(1,)]
    finally:
        await engine.dispose()
