"""What erasing down to the bytes costs: `server.db.purge_old_copies` on a database of a given
size, and how long a live session's writes wait meanwhile.

    .venv/bin/python bench/erase_purge.py                       # SQLite, 200,000 events
    .venv/bin/python bench/erase_purge.py --events 1000000
    .venv/bin/python bench/erase_purge.py --postgres postgresql://postgres@127.0.0.1/bench

A migrated database gets `--events` events of about 200 bytes in sessions of 200 events; one
event is changed (as an erasure changes it); then the purge runs while a writer appends one
event every 10 ms to another session, as a live session would. Reported: the database size,
the purge's time, and the writer's longest wait. On PostgreSQL the database given is used and
its tables are emptied first: give a throw-away database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from server.db import create_engine, purge_old_copies
from server.migrate import upgrade
from server.settings import normalize_database_url

PER_SESSION = 200
BODY = '{"note":"n%d","text":"Een notitie over de wijk en wat we daar samen leerden, nummer %d"}'
TABLES = ("session_events", "live_sessions", "session_snapshots", "harvest_responses")


async def fill(url: str, events: int) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with engine.begin() as connection:
            for table in ("session_snapshots", "session_events", "live_sessions"):
                await connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608
        sessions = max(1, events // PER_SESSION)
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO live_sessions (id, public_id, join_code, title, created_at, "
                    "last_seq) VALUES (:id, :p, :j, :t, CURRENT_TIMESTAMP, :n)"
                ),
                [
                    {"id": s, "p": f"s{s}", "j": f"j{s}", "t": f"Sessie {s}", "n": PER_SESSION}
                    for s in range(1, sessions + 2)
                ],
            )
        rows = [
            {"s": s, "q": q, "b": BODY % (q, s * q)}
            for s in range(1, sessions + 1)
            for q in range(1, PER_SESSION + 1)
        ]
        for start in range(0, len(rows), 20_000):
            async with engine.begin() as connection:
                await connection.execute(
                    text(
                        "INSERT INTO session_events (session_id, seq, type, at, body) "
                        "VALUES (:s, :q, 'note.added', 0, :b)"
                    ),
                    rows[start : start + 20_000],
                )
        async with engine.begin() as connection:  # what an erasure changes
            await connection.execute(
                text("UPDATE session_events SET body = '{}' WHERE session_id = 1 AND seq = 1")
            )
    finally:
        await engine.dispose()


async def measure(url: str, writer_session: int) -> tuple[float, float, int]:
    """(purge seconds, the writer's longest wait in seconds, events it wrote meanwhile)."""
    engine = create_engine(url)
    purging = True
    waits: list[float] = []

    async def writer() -> None:
        seq = 0
        while purging:
            seq += 1
            started = time.monotonic()
            async with engine.begin() as connection:
                await connection.execute(
                    text(
                        "INSERT INTO session_events (session_id, seq, type, at, body) "
                        "VALUES (:s, :q, 'chat.posted', 0, '{}')"
                    ),
                    {"s": writer_session, "q": seq},
                )
            waits.append(time.monotonic() - started)
            await asyncio.sleep(0.01)

    try:
        task = asyncio.create_task(writer())
        await asyncio.sleep(0.2)
        started = time.monotonic()
        await purge_old_copies(engine, TABLES)
        took = time.monotonic() - started
        purging = False
        await task
    finally:
        await engine.dispose()
    return took, max(waits), len(waits)


def size_of(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.0f} MB"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--postgres", metavar="URL", help="a throw-away PostgreSQL database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = None
        if args.postgres:
            url = normalize_database_url(args.postgres)
        else:
            path = Path(directory) / "bench.sqlite3"
            url = f"sqlite+aiosqlite:///{path}"
        await fill(url, args.events)
        if path is None:
            engine = create_engine(url)
            async with engine.connect() as connection:
                size = await connection.scalar(
                    text("SELECT pg_size_pretty(pg_database_size(current_database()))")
                )
            await engine.dispose()
        else:
            size = size_of(path)
        took, wait, writes = await measure(url, max(1, args.events // PER_SESSION) + 1)
        backend = "PostgreSQL" if args.postgres else "SQLite"
        print(
            f"{backend}: {args.events:,} events, {size}: purge {took:.2f} s; "
            f"a writer's longest wait {wait * 1000:.0f} ms ({writes} writes meanwhile); "
            f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    asyncio.run(main())
