"""Migrations build the schema from an empty database, match the models, and are idempotent."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect

import catalogue  # noqa: F401  (domain models register their tables on import)
import sessions  # noqa: F401
from server.db import Base, create_engine
from server.migrate import pending, upgrade


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
