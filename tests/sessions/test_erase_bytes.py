"""Erasure down to the bytes (issue 13): after `werkplaats erase`, or erasing on the coordinator
page, the erased name is in none of the live database files, in any case.

A real server (SQLite and PostgreSQL) runs a session in which a participant with a distinctive
name joins and writes; others mention the name in notes and chat; the participants harvest and
the facilitator composes an outcome, shared openly, with a product whose link spells the name
in slug form. Then the name is erased and the files are read as bytes: SQLite's database file
and its `-wal` (and `-shm` and journal, if any); on PostgreSQL the file of every relation of
the database (tables, TOAST tables, indexes, also the catalogues), after a CHECKPOINT. The
PostgreSQL write-ahead log (pg_wal) may still hold the name: docs/privacy.md says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url

from server.db import create_engine
from server.settings import normalize_database_url
from tests.conftest import POSTGRES_URL
from tests.helpers import PASSWORD, log_in
from tests.server.test_cli import run
from tests.sessions.live import BACKENDS, Client, Server, prepared_server, running
from tests.sessions.pages import answer_harvest, change, form_fields, post_form, text_of

# Pages that run the sharing gate (deduce) may take seconds on a busy machine.
SLOW = 60.0


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with prepared_server(request.param, tmp_path_factory.mktemp("erase-bytes")) as server:
        server.add_account("co@example.org", "Coby", "coordinator")
        with running(server):
            yield server


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


# Reading the files ---------------------------------------------------------------------------


def _parts(name: str) -> list[bytes]:
    """The parts of a name to look for, as lower-case UTF-8 bytes."""
    return [p.casefold().encode() for p in re.split(r"[\s\-]+", name) if len(p) >= 4]


def _count(path: Path, parts: list[bytes]) -> int:
    try:
        data = path.read_bytes().lower()
    except FileNotFoundError:
        return 0
    return sum(data.count(part) for part in parts)


async def hits(server: Server, name: str) -> dict[str, int]:
    """Where the name's parts are, as raw bytes: file -> count (files without it left out)."""
    parts = _parts(name)
    url = make_url(server.database_url)
    found: dict[str, int] = {}
    if url.get_backend_name() == "sqlite":
        base = Path(str(url.database))
        for suffix in ("", "-wal", "-shm", "-journal"):
            path = base.with_name(base.name + suffix)
            if n := _count(path, parts):
                found[path.name] = n
        return found
    engine = create_engine(server.database_url)
    try:
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(sql("CHECKPOINT"))  # shared buffers onto the files
            root = Path(str(await autocommit.scalar(sql("SHOW data_directory"))))
            rows = (
                await autocommit.execute(
                    sql(
                        "SELECT relname, pg_relation_filepath(oid) FROM pg_class "
                        "WHERE pg_relation_filepath(oid) IS NOT NULL"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    for relation, file in rows:
        main = root / file
        segments = [main, *sorted(main.parent.glob(main.name + ".[0-9]*"))]
        if n := sum(_count(path, parts) for path in segments):
            found[f"{relation} ({file})"] = n
    return found


async def checkpoint(server: Server) -> None:
    """On SQLite, copy the write-ahead log into the database file, as SQLite does by itself
    every 1000 pages: the file then holds the name, also in space freed by later updates. On
    PostgreSQL, ANALYZE, as autovacuum does: pg_statistic then holds sampled values."""
    url = make_url(server.database_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(str(url.database))
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
        return
    engine = create_engine(server.database_url)
    try:
        async with engine.connect() as pg:
            autocommit = await pg.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(sql("ANALYZE"))
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def older_transaction(server: Server) -> AsyncIterator[None]:
    """On PostgreSQL, a transaction with an id, in another database of the cluster, that ends
    two seconds after the block began: until then VACUUM FULL would keep the old row versions
    (erasure waits for it)."""
    if make_url(server.database_url).get_backend_name() == "sqlite" or not POSTGRES_URL:
        yield
        return
    engine = create_engine(normalize_database_url(POSTGRES_URL))
    began = asyncio.Event()

    async def hold() -> None:
        async with engine.connect() as connection:
            await connection.execute(sql("SELECT pg_current_xact_id()"))
            began.set()
            await asyncio.sleep(2)
            await connection.commit()

    try:
        holding = asyncio.create_task(hold())
        await began.wait()
        yield
        await holding
    finally:
        await engine.dispose()


# A session with the name everywhere ----------------------------------------------------------


async def _harvest(server: Server, public_id: str, client: Client, takeaway: str) -> None:
    await answer_harvest(
        server.url,
        public_id,
        client.token,
        takeaway=takeaway,
        consent="open",
        ratings={"rating-reflecteren": "4"},
        patience=SLOW,
    )


async def scene(server: Server, name: str) -> str:
    """A session in which `name` takes part and is mentioned everywhere; its public id."""
    slug = "-".join(name.split()).lower()
    created = await server.create_session(
        title=f"Intervisie met {name}", goals=["reflecteren"], region="zwolle"
    )
    public_id = str(created["session"])
    fa = Client(server, public_id, str(created["participant"]), str(created["token"]))
    await fa.connect()
    people = []
    for who in (name, "Bram Bakker"):
        joined = await server.join(str(created["join_code"]), who)
        assert joined.status_code == 201, joined.text
        client = Client(server, public_id, joined.json()["participant"], joined.json()["token"])
        await client.connect()
        people.append(client)
    person, other = people
    await fa.do("f1", "phase.next")
    await person.do("z1", "note.add", text=f"Ik ben {name} en ik breng een casus in")
    await person.do("z3", "note.add", text=f"Privé: {name}", private=True)
    await person.do("z2", "chat.post", text="Hallo allemaal")
    await other.do("b1", "note.add", text=f"{name.upper()} heeft een goed punt")
    await other.do("b2", "chat.post", text=f"dank je {name.lower()}!")
    await fa.do("f2", "cluster.create", title=f"Ideeën van {name}")
    await fa.do("f3", "notes.reveal")
    await _harvest(server, public_id, person, f"Ik, {name}, neem grenzen mee.")
    await _harvest(server, public_id, other, f"Dank aan {name}.")

    facilitator = await server.facilitator()
    facilitator.timeout = httpx.Timeout(SLOW)
    try:
        form = f"/sessies/{public_id}/uitkomst"
        page = await facilitator.get(form)
        assert page.status_code == 200
        fields = change(
            form_fields(page.text, form),
            summary=f"{name} bracht een casus in over grenzen.",
            insights=f"Grenzen stellen helpt, zei {name.lower()}.",
            actions=f"Bram belt {name}.",
            questions=f"Wat heeft {name} nodig?",
            **{
                "product-1-title": f"Verslag van {name}",
                "product-1-url": f"https://example.org/verslagen/{slug}",
            },
        )
        fields = [(k, v) for k, v in fields if k != "sharing"] + [("sharing", "open")]
        saved = await post_form(facilitator, form, [*fields, ("op", "save")])
        assert saved.status_code == 303, text_of(saved.text)
    finally:
        await facilitator.aclose()
    for client in (fa, person, other):
        await client.close()
    # The library's index as if the gate had missed the name (deduce misses some, and an
    # erasure by name may be of someone no participant was): on SQLite its FTS5 copy too.
    engine = create_engine(server.database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sql(
                    "UPDATE outcome_texts SET body = body || :more WHERE outcome_id = "
                    "(SELECT id FROM outcomes WHERE session_id = "
                    "(SELECT id FROM live_sessions WHERE public_id = :public_id))"
                ),
                {"more": f"\nMet dank aan {name}", "public_id": public_id},
            )
    finally:
        await engine.dispose()
    return public_id


# The tests -----------------------------------------------------------------------------------


async def test_the_command_leaves_the_name_in_no_database_file(server: Server) -> None:
    name = "Zeynep Oudejans-Kraaijeveld"
    await scene(server, name)
    await checkpoint(server)
    before = await hits(server, name)
    assert before, "the scene did not write the name"

    started = time.monotonic()
    async with older_transaction(server):
        done = await asyncio.to_thread(run, "erase", "--name", name, "--yes", env=server.env)
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    after = await hits(server, name)
    print(f"\nbefore: {sum(before.values())} hits {before}\nafter: {after}; erase: {took:.2f} s")
    assert after == {}, (after, done.stdout, done.stderr)

    again = run("erase", "--name", name, "--yes", env=server.env)
    assert again.returncode == 0 and "nothing to change" in again.stdout


async def test_the_coordinator_page_leaves_the_name_in_no_database_file(server: Server) -> None:
    name = "Wubbo Quintijn-Vrijlandt"
    public_id = await scene(server, name)
    await checkpoint(server)
    assert await hits(server, name)

    async with server.http() as coordinator:
        coordinator.timeout = httpx.Timeout(SLOW)
        login = await log_in(coordinator, "co@example.org")  # with the second step
        assert login.status_code == 303
        form = await coordinator.get("/beheer/wissen")
        token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
        done = await coordinator.post(
            "/beheer/wissen", data={"csrf_token": token, "kind": "name", "q": name, "op": "erase"}
        )
        assert done.status_code == 200 and 'id="erase-result"' in done.text
    await asyncio.sleep(0.2)  # the server forgets the session and deletes its snapshot
    assert await hits(server, name) == {}
    journal = (server.data_dir / "erasures.log").read_text().splitlines()
    assert f'"sessions": ["{public_id}"]' in journal[-1] and '"by": "name"' in journal[-1]


# After restoring a backup ---------------------------------------------------------------------


async def test_a_restored_backup_gets_every_recorded_erasure_again(tmp_path: Path) -> None:
    """The erasure journal (ids only) lets `werkplaats erase --replay` erase again what a
    backup from before the erasures still holds; a name no participant had needs the name."""
    name, other = "Zeynep Oudejans-Kraaijeveld", "Henk Vogelzang"
    with prepared_server("sqlite", tmp_path) as server:
        made = run(
            "createuser",
            *("--email", "walter@example.org", "--name", "Walter Vuurtoren"),
            *("--role", "facilitator", "--password-stdin"),
            env=server.env,
            stdin=PASSWORD + "\n",
        )
        assert made.returncode == 0, made.stderr
        with running(server):
            public_id = await scene(server, name)
            created = await server.create_session()
            bram = await joined_as(server, created, "Bram Bakker")
            await bram.do("b1", "chat.post", text=f"Ik sprak {other} over {name.lower()}")
            await bram.close()
        database = Path(str(make_url(server.database_url).database))
        backup = tmp_path / "backup.sqlite3"
        shutil.copyfile(database, backup)  # the server stopped: no -wal

        for who in (["--name", name], ["--account", "walter@example.org"], ["--name", other]):
            done = run("erase", *who, "--yes", env=server.env)
            assert done.returncode == 0, done.stderr
        journal = tmp_path / "erasures.log"
        lines = journal.read_text().splitlines()
        assert len(lines) == 3
        assert not _parts_in(journal.read_bytes(), name, other, "Walter Vuurtoren", "walter@")
        assert f"{public_id}:p" in lines[0] and '"by": "name"' in lines[0]
        assert '"by": "account"' in lines[1] and '"by": "name"' in lines[2]

        for suffix in ("-wal", "-shm"):
            database.with_name(database.name + suffix).unlink(missing_ok=True)
        shutil.copyfile(backup, database)  # the restore
        assert await hits(server, name) and await hits(server, "Walter Vuurtoren")

        early = run("erase", "--replay", "--since", "2999-01-01", "--yes", env=server.env)
        assert early.returncode == 0 and "0 erasure(s) recorded" in early.stdout
        replayed = run("erase", "--replay", "--yes", env=server.env)
        assert replayed.returncode == 3, replayed.stdout + replayed.stderr
        assert "made 2 erasure(s) again; 1 need(s) the name again" in replayed.stdout
        assert not _parts_in(replayed.stdout.encode(), name, other, "Walter Vuurtoren")
        assert await hits(server, name) == {}
        assert await hits(server, "Walter Vuurtoren") == {}
        assert await hits(server, other)  # as the command said: erase it by name again
        again = run("erase", "--name", other, "--yes", env=server.env)
        assert again.returncode == 0, again.stderr
        assert await hits(server, other) == {}

        once_more = run("erase", "--replay", "--yes", env=server.env)
        assert once_more.returncode == 3, once_more.stderr
        assert "made 0 erasure(s) again" in once_more.stdout, once_more.stdout
        assert len(journal.read_text().splitlines()) == 4  # a replay adds nothing


def _parts_in(data: bytes, *names: str) -> list[bytes]:
    folded = data.lower()
    return [part for name in names for part in _parts(name) if part in folded]


async def joined_as(server: Server, created: dict[str, object], name: str) -> Client:
    joined = await server.join(str(created["join_code"]), name)
    assert joined.status_code == 201, joined.text
    client = Client(
        server, str(created["session"]), joined.json()["participant"], joined.json()["token"]
    )
    await client.connect()
    return client
