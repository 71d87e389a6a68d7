"""Fixtures: a real database on every backend, the app with its lifespan, an HTTP client."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from catalogue.seed import Content, load_content, seed
from server.app import create_app
from server.db import create_engine, sessionmaker
from server.migrate import upgrade
from server.settings import Settings
from tests.helpers import SECRET_KEY
from tests.postgres import create_database, drop_database

POSTGRES_URL = os.environ.get("WERKPLAATS_TEST_POSTGRES_URL")
SKIP_POSTGRES = (
    "PostgreSQL tests skipped: set WERKPLAATS_TEST_POSTGRES_URL "
    "(e.g. postgresql://postgres@127.0.0.1:5432/test) to run them"
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    return str(request.param)


async def create_postgres_database() -> str:
    """A new, empty PostgreSQL database; returns its async URL."""
    assert POSTGRES_URL
    return await create_database(POSTGRES_URL, "werkplaats_test")


async def drop_postgres_database(url: str) -> None:
    assert POSTGRES_URL
    await drop_database(POSTGRES_URL, url, "werkplaats_test")


@pytest.fixture
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty database on the backend under test."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
        return
    url = await create_postgres_database()
    try:
        yield url
    finally:
        await drop_postgres_database(url)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a migrated database."""
    engine = create_engine(database_url)
    await upgrade(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def db(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return sessionmaker(engine)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=SECRET_KEY,
        data_dir=tmp_path,
    )


@pytest.fixture
async def app(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Starlette]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture(scope="session")
def content() -> Content:
    """The real catalogue content, validated once per test run."""
    return load_content()


@pytest.fixture
async def seeded(db: async_sessionmaker[AsyncSession], content: Content) -> list[str]:
    """A database with the real catalogue seeded; returns the seed report."""
    async with db() as session:
        return await seed(session, content)
