"""The event log: appends per second in process, and resume after missed events."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import msgspec
from processes import RESUME_AIM_MS, WerkplaatsServer, database
from sqlalchemy import func, select
from websockets.asyncio.client import connect

from server.db import create_engine, sessionmaker
from server.migrate import upgrade
from sessions import events as ev
from sessions.engine import SessionEngine
from sessions.models import LiveSession, SessionEvent
from sessions.state import State, apply

# Appends per second, in process ------------------------------------------------------------------


async def appends(
    store: str, directory: Path, args: argparse.Namespace, kind: str = "chat"
) -> dict[str, Any]:
    """`tasks` concurrent tasks each submit commands with a trivial decider to a SessionEngine
    on a migrated database, as fast as each one's previous command commits.

    kind "chat": chat.posted events; the state's chat grows by one message per event (to 20,000,
    four times what `decide` allows a session), so the snapshot written every 500 events grows.
    kind "edit": note.edited events on one note per task; the state stays the same size."""
    async with database(store, directory) as url:
        engine = create_engine(url)
        try:
            await upgrade(engine)
            db = sessionmaker(engine)
            async with db() as session:
                row = LiveSession(
                    public_id=uuid.uuid4().hex[:12],
                    join_code=uuid.uuid4().hex[:6].upper(),
                    title="Appends",
                    last_seq=0,
                )
                session.add(row)
                await session.commit()
                session_id = row.id
            sessions = SessionEngine(db)
            batches: list[int] = []
            write = sessions._write

            async def counted(batch: list[Any]) -> None:
                batches.append(len(batch))
                await write(batch)

            sessions._write = counted  # type: ignore[method-assign]
            await sessions.start()
            per_task = args.appends // args.append_tasks

            async def author(task: int) -> None:
                actor = f"p{task}"
                note = f"n{task}"
                if kind == "edit" and task < 0:  # the timed tasks' notes are added untimed
                    added = ev.NoteAdded(note, "briefje", 0.5, 0.5, False, False, None)
                    await sessions.submit(session_id, actor, f"a{task}", lambda *_: [added])
                for n in range(per_task):
                    text = f"bericht {n} van {task}"
                    body: ev.EventBody = (
                        ev.ChatPosted(f"m{task}-{n}", text, None)
                        if kind == "chat"
                        else ev.NoteEdited(note, text)
                    )
                    await sessions.submit(session_id, actor, f"c{task}-{n}", lambda *_, b=body: [b])

            # a short warm-up (connections, statement caches), not timed
            await asyncio.gather(*(author(-t - 1) for t in range(10)))
            warm = sum(batches)
            batches.clear()
            if kind == "edit":  # each task's note, not timed either
                warm += args.append_tasks
                await asyncio.gather(
                    *(
                        sessions.submit(
                            session_id,
                            f"p{t}",
                            f"a{t}",
                            lambda *_, t=t: [
                                ev.NoteAdded(f"n{t}", "briefje", 0.5, 0.5, False, False, None)
                            ],
                        )
                        for t in range(args.append_tasks)
                    )
                )
                batches.clear()
            started = time.perf_counter()
            await asyncio.gather(*(author(t) for t in range(args.append_tasks)))
            seconds = time.perf_counter() - started
            await sessions.stop()
            async with db() as session:
                count = await session.scalar(
                    select(func.count()).where(SessionEvent.session_id == session_id)
                )
                top = await session.scalar(
                    select(func.max(SessionEvent.seq)).where(SessionEvent.session_id == session_id)
                )
            total = per_task * args.append_tasks
            assert count == top == total + warm, (count, top, total, warm)
            return {
                "store": store,
                "kind": kind,
                "events": total,
                "tasks": args.append_tasks,
                "seconds": seconds,
                "per_second": total / seconds,
                "transactions": len(batches),
                "mean_batch": statistics.fmean(batches),
            }
        finally:
            await engine.dispose()


# Resume after missed events ----------------------------------------------------------------------


class _EventsFrame(msgspec.Struct):
    type: str
    events: list[ev.Event]


_events_decoder = msgspec.json.Decoder(_EventsFrame)


async def resume(server: WerkplaatsServer, args: argparse.Namespace) -> dict[str, Any]:
    """A reader misses `missed` events while disconnected, reconnects with hello last_seq; the
    time from sending hello until it has applied the last missed event to its state."""
    created = await server.create_session(title="Hervatten", variant="intervisie")
    code = created["join_code"]
    reader = (await server.join(code, "Lezer")).json()
    writer = (await server.join(code, "Schrijver")).json()
    base = server.url.replace("http", "ws")
    times: list[float] = []
    handshakes: list[float] = []
    welcomes: list[float] = []
    firsts: list[float] = []
    async with connect(base + writer["websocket"], max_size=2**24, ping_interval=None) as w:
        await w.send(json.dumps({"type": "hello", "token": writer["token"]}))
        await _until(w, lambda m: m.startswith('{"type":"welcome"'))
        await w.send(json.dumps({"type": "note.add", "id": "n", "text": "Het briefje"}))
        note = None
        while note is None:
            frame = await w.recv(decode=True)
            if frame.startswith('{"type":"events"'):
                for event in _events_decoder.decode(frame).events:
                    if isinstance(event.body, ev.NoteAdded):
                        note = event.body.note
        # The reader's first visit: the whole state.
        state, last_seq = State(), 0
        async with connect(base + reader["websocket"], max_size=2**24, ping_interval=None) as r:
            await r.send(json.dumps({"type": "hello", "token": reader["token"], "last_seq": 0}))
            welcome = json.loads(await _until(r, lambda m: m.startswith('{"type":"welcome"')))
            state = msgspec.convert(welcome["state"], type=State)
            last_seq = welcome["seq"]
        for round_ in range(args.resume_rounds):
            # Away: the writer appends `missed` events (pipelined, all acknowledged).
            for n in range(args.missed):
                await w.send(
                    json.dumps(
                        {"type": "note.edit", "id": f"e{round_}-{n}", "note": note, "text": f"{n}"}
                    )
                )
            acked = 0
            target = 0
            while acked < args.missed:
                frame = await w.recv(decode=True)
                if frame.startswith('{"type":"ack"'):
                    acked += 1
                    target = max(target, json.loads(frame)["seqs"][-1])
                elif frame.startswith('{"type":"error"'):
                    raise RuntimeError(frame)
            await asyncio.sleep(0.2)
            # Back: connect, say hello with the last seq, apply what comes until `target`.
            t_connect = time.perf_counter()
            async with connect(base + reader["websocket"], max_size=2**24, ping_interval=None) as r:
                t_hello = time.perf_counter()
                await r.send(
                    json.dumps({"type": "hello", "token": reader["token"], "last_seq": last_seq})
                )
                t_welcome = t_first = 0.0
                while last_seq < target:
                    frame = await r.recv(decode=True)
                    if frame.startswith('{"type":"events"'):
                        t_first = t_first or time.perf_counter()
                        for event in _events_decoder.decode(frame).events:
                            assert event.seq == last_seq + 1, (event.seq, last_seq)
                            apply(state, event)
                            last_seq = event.seq
                    elif frame.startswith('{"type":"welcome"'):
                        t_welcome = time.perf_counter()
                        assert '"resume_from"' in frame, frame[:200]
                done = time.perf_counter()
            times.append((done - t_hello) * 1000)
            welcomes.append((t_welcome - t_hello) * 1000)
            firsts.append((t_first - t_hello) * 1000)
            handshakes.append((t_hello - t_connect) * 1000)
    ordered = sorted(times)
    return {
        "missed": args.missed,
        "rounds": args.resume_rounds,
        "median_ms": statistics.median(ordered),
        "p90_ms": ordered[int(0.9 * (len(ordered) - 1))],
        "max_ms": ordered[-1],
        "over_aim": sum(t >= RESUME_AIM_MS for t in times),
        "handshake_median_ms": statistics.median(handshakes),
        "welcome_median_ms": statistics.median(welcomes),
        "first_events_median_ms": statistics.median(firsts),
        "all_ms": [round(t, 1) for t in times],  # in the order measured
        "welcome_ms": [round(t, 1) for t in welcomes],
    }


async def _until(socket_: Any, test: Any) -> str:
    while True:
        frame = await socket_.recv(decode=True)
        if test(frame):
            return str(frame)
