"""Fixtures of the bus tests: a bus on every backend (memory, PostgreSQL), a channel of its own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from server.bus import Bus, create_bus
from tests.conftest import POSTGRES_URL, SKIP_POSTGRES
from tests.server.buses import DATABASE_URL, MakeBus


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.postgres)])
def bus_url(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    return "memory://" if request.param == "memory" else "postgres://"


@pytest.fixture
def postgres_bus_url() -> str:
    if not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    return "postgres://"


async def _connected_buses(url: str) -> AsyncIterator[MakeBus]:
    buses: list[Bus] = []

    async def make(**options: int) -> Bus:
        bus = create_bus(url, DATABASE_URL, **options)
        await bus.connect()
        buses.append(bus)
        return bus

    try:
        yield make
    finally:
        for bus in buses:
            await bus.disconnect()


@pytest.fixture
async def make_bus(bus_url: str) -> AsyncIterator[MakeBus]:
    async for make in _connected_buses(bus_url):
        yield make


@pytest.fixture
async def make_postgres_bus(postgres_bus_url: str) -> AsyncIterator[MakeBus]:
    async for make in _connected_buses(postgres_bus_url):
        yield make


@pytest.fixture
async def bus(make_bus: MakeBus) -> Bus:
    return await make_bus()


@pytest.fixture
def channel() -> str:
    # Every test run shares the test database, so each test gets channels of its own.
    return f"test:{uuid.uuid4().hex}"
