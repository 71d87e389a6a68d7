"""Throw-away PostgreSQL databases, for the tests and the benchmarks.

Each database is made from template0 under a recognisable name, and only a database with such a
name is ever dropped, so a mistyped URL cannot drop anything else.
"""

from __future__ import annotations

import re
import uuid

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

from server.settings import normalize_database_url


def _plain_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def create_database(server_url: str, prefix: str) -> str:
    """A new, empty database on the server of `server_url`; returns its async URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(_plain_dsn(server_url))
    try:
        await connection.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    finally:
        await connection.close()
    return normalize_database_url(
        make_url(server_url).set(database=name).render_as_string(hide_password=False)
    )


async def drop_database(server_url: str, url: str, prefix: str) -> None:
    """Drop a database made by `create_database` with the same prefix (and nothing else)."""
    name = make_url(url).database
    assert name and re.fullmatch(rf"{prefix}_[0-9a-f]{{12}}", name), name
    connection = await asyncpg.connect(_plain_dsn(server_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()
