"""The database layer: one async engine per process, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Collection
from typing import Any

from sqlalchemy import DateTime, MetaData, event, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

CONNECT_TIMEOUT = 10.0  # seconds to open a PostgreSQL connection

# Stable constraint names, so migrations can refer to them on both backends.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that is always timezone-aware UTC, also on SQLite (which stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use utcnow()")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_engine(database_url: str) -> AsyncEngine:
    """An async engine; on SQLite with WAL, foreign keys on and a busy timeout.

    Statement parameters (names, emails, note texts) stay out of error messages and logs."""
    if database_url.startswith("sqlite"):
        engine = create_async_engine(
            database_url, connect_args={"timeout": 15}, hide_parameters=True
        )
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        return engine
    return create_async_engine(
        database_url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        hide_parameters=True,
        # A server that takes the connection but never answers is an error, not a hang.
        connect_args={"timeout": CONNECT_TIMEOUT},
    )


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer commits; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # NORMAL in WAL mode keeps every commit across a killed process; only a power cut may lose
    # the last ones, and it is several times faster than FULL.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


PURGE_WAIT = 30.0  # seconds to wait for older transactions before VACUUM FULL


async def purge_old_copies(engine: AsyncEngine, tables: Collection[str]) -> bool:
    """Leave no copy of deleted or overwritten rows in the live database files (erasure).

    Call after the change committed, outside any transaction. SQLite: each FTS5 index merged
    into one segment (older ones keep deleted words), `VACUUM` (the file rebuilt from live
    rows only: free pages and freed space in pages go), then the write-ahead log checkpointed
    and truncated to nothing. PostgreSQL: `VACUUM (FULL)` of `tables`: each table, its TOAST
    table and its indexes are written anew from their live rows and the old files dropped
    (plain VACUUM leaves old index keys and may leave old tuple bytes); then ANALYZE of them
    and VACUUM (FULL) of pg_statistic, which holds values sampled by an earlier ANALYZE. A row
    version that a transaction still running may see is kept, also for a transaction in
    another database of the cluster with a transaction id: so before each VACUUM (FULL) it
    waits (up to PURGE_WAIT seconds) until every transaction older than that has ended. Both
    lock: SQLite's writers wait for the VACUUM, PostgreSQL's readers and writers of these
    tables for theirs. See docs/privacy.md.

    False when it stopped waiting for an older transaction or reader (old copies may remain)."""
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        if engine.dialect.name == "sqlite":
            fts5 = await autocommit.scalars(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'"
                )
            )
            for name in list(fts5):
                quoted = _quote(name)
                await autocommit.execute(
                    text(f"INSERT INTO {quoted} ({quoted}) VALUES ('optimize')")  # noqa: S608
                )
            stat4 = await autocommit.scalar(
                text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat4'")
            )
            if stat4:  # sampled rows (a build with STAT4, after an ANALYZE): sample anew
                await autocommit.execute(text("ANALYZE"))
            await autocommit.execute(text("VACUUM"))
            busy = 1
            deadline = time.monotonic() + PURGE_WAIT
            while busy and time.monotonic() < deadline:  # a reader on an older page holds it
                busy = (await autocommit.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))).one()[0]
                if busy:
                    await asyncio.sleep(0.1)
            return not busy
        if tables:
            complete = await _older_transactions_ended(autocommit)
            names = ", ".join(_quote(table) for table in sorted(tables))
            await autocommit.execute(text(f"VACUUM (FULL) {names}"))
            # ANALYZE keeps sampled values of columns (most common values, histograms) in
            # pg_statistic: sample the rows anew, then drop the old samples' row versions
            # (allowed to the database's owner; for another role PostgreSQL skips it, warning).
            await autocommit.execute(text(f"ANALYZE {names}"))
            complete = await _older_transactions_ended(autocommit) and complete
            await autocommit.execute(text("VACUUM (FULL) pg_catalog.pg_statistic"))
            return complete
    return True


async def _older_transactions_ended(connection: AsyncConnection) -> bool:
    """Wait until no transaction begun before now is running: none with a transaction id in
    the cluster, none with a snapshot in this database (as far as this role may see)."""
    mark, at = (
        await connection.execute(text("SELECT pg_current_xact_id(), clock_timestamp()"))
    ).one()
    deadline = time.monotonic() + PURGE_WAIT
    while True:
        ended = await connection.scalar(
            text(
                "SELECT pg_snapshot_xmin(pg_current_snapshot()) > CAST(:mark AS xid8) "
                "AND NOT EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL AND xact_start <= :at)"
            ),
            {"mark": int(mark), "at": at},
        )
        if ended:
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def database_problem(engine: AsyncEngine) -> str | None:
    """Why the database cannot be reached, or None when a trivial query succeeds."""
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except TimeoutError:
        reason = f"no answer within {CONNECT_TIMEOUT:.0f} s"
    except Exception as error:  # any driver error means "unreachable"; the text says why
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    else:
        return None
    return f"{describe_url(engine.url.render_as_string(hide_password=False))}: {reason}"


def describe_url(database_url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    return make_url(database_url).render_as_string(hide_password=True)
