"""Migrations build the schema from an empty database, match the models, and are idempotent."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect

import catalogue  # noqa: F401  (domain models register their tables on import)
import sessions  # noqa: F401
from server.db import Base, create_engine
from server.migrate import pending, upgrade


async def test_migrations_build_every_table_from_an_empty_database(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert await pending(engine)  # nothing applied yet
        await upgrade(engine)
        assert await pending(engine) == []
        await upgrade(engine)  # a second run changes nothing

        def differences(connection: Connection) -> list[object]:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))

        def tables(connection: Connection) -> set[str]:
            return set(inspect(connection).get_table_names())

        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
            assert {"users", "user_roles", "login_sessions"} <= await connection.run_sync(tables)
    finally:
        await engine.dispose()
