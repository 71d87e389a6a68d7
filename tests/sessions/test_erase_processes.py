"""Erasing with several server processes: every process forgets the name, not only one.

Each process keeps the sessions it serves in memory. After `werkplaats erase` (or the
coordinator page on one process), the others are told over the PostgreSQL bus: they reload the
session from its erased log and close their connections with 4010, so browsers fetch a fresh
state instead of keeping the name.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from tests.conftest import (
    POSTGRES_URL,
    SKIP_POSTGRES,
    create_postgres_database,
    drop_postgres_database,
)
from tests.server.test_cli import run
from tests.sessions.live import Client, Server, joined, running

CLOSE_RELOAD = 4010
NAME = "Wietske Zwavelstok"


def _mentions(client: Client) -> bool:
    return "zwavelstok" in msgspec.json.encode(client.state).decode().casefold()


@pytest.mark.postgres
async def test_erasing_on_the_command_line_reaches_every_process(tmp_path: Path) -> None:
    if not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    database_url = await create_postgres_database()
    bus = {"WERKPLAATS_BUS_URL": "postgres://"}
    first = Server(database_url, tmp_path, bus)
    second = Server(database_url, tmp_path, bus)
    clients: list[Client] = []
    try:
        first.prepare()
        with running(first), running(second):
            created = await first.create_session()
            anna = await joined(first, created, "Anna")
            person = await joined(second, created, NAME)
            bram = await joined(second, created, "Bram")
            clients = [anna, person, bram]
            await person.do("n1", "note.add", text=f"Ik ben {NAME}")
            for client in (anna, bram):
                await client.wait_for(lambda client=client: _mentions(client))

            done = run("erase", "--name", NAME, "--yes", env=first.env)
            assert done.returncode == 0, done.stderr
            assert "the server processes were told to reload" in done.stdout
            assert "restart" not in done.stdout

            # Both processes close their connections of the session: reload, not resume.
            for client in clients:
                await client.wait_for(lambda client=client: client.closed_with is not None)
                assert client.closed_with == CLOSE_RELOAD
            # Connecting again with nothing (last_seq 0), to either process, gives a state
            # without the name; the second process did not keep its copy in memory.
            for client in (anna, bram):
                await client.close()
                client.last_seq = 0
                await client.connect()
                assert not _mentions(client)
                assert "[naam verwijderd]" in msgspec.json.encode(client.state).decode()
    finally:
        for client in clients:
            await client.close()
        await drop_postgres_database(database_url)
