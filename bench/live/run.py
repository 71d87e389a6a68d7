"""Benchmarks of live sessions: fan-out throughput against a bare broadcast server, memory per
idle connection, event-log appends per second, and resume after missed events.

    npm ci --prefix bench/live                    # once: the load generator's `ws` package
    .venv/bin/python bench/live/run.py            # a table
    .venv/bin/python bench/live/run.py --json     # the same figures, machine-readable

Not a test: nothing here runs in CI. See bench/README.md for what each figure means.
"""

# ruff: noqa: S603, S607, ASYNC109, ASYNC221  (a benchmark: it starts its own servers)

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import msgspec  # noqa: E402
import uvloop  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from server.db import create_engine, sessionmaker  # noqa: E402
from server.migrate import upgrade  # noqa: E402
from server.settings import normalize_database_url  # noqa: E402
from sessions import events as ev  # noqa: E402
from sessions.engine import SessionEngine  # noqa: E402
from sessions.joins import MAX_PARTICIPANTS  # noqa: E402
from sessions.models import LiveSession, SessionEvent  # noqa: E402
from sessions.state import State, apply  # noqa: E402
from tests.postgres import create_database, drop_database  # noqa: E402
from tests.server.test_cli import WERKPLAATS, free_port  # noqa: E402
from tests.sessions.live import Server  # noqa: E402

POSTGRES_URL = os.environ.get("WERKPLAATS_BENCH_POSTGRES_URL") or os.environ.get(
    "WERKPLAATS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
P99_AIM_MS = 100.0
MEMORY_AIM_KIB = 50.0
APPENDS_AIM = 10_000.0
RESUME_AIM_MS = 100.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


# Processes and databases -------------------------------------------------------------------------


def loadavg() -> tuple[float, float, float]:
    one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    return float(one), float(five), float(fifteen)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def machine_busy() -> float:
    """CPU seconds spent by the whole machine (every core, every process) since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


async def wait_quiet(threshold: float, longest: float) -> float:
    """Wait until the machine is quiet (busy below `threshold` cores over one second), at most
    `longest` seconds; returns the busy cores last seen. Other engineers share these cores."""
    deadline = time.monotonic() + longest
    while True:
        b0, t0 = machine_busy(), time.monotonic()
        await asyncio.sleep(1.0)
        busy = (machine_busy() - b0) / (time.monotonic() - t0)
        if busy < threshold or time.monotonic() > deadline:
            return busy


async def create_postgres_database() -> str:
    return await create_database(POSTGRES_URL, "werkplaats_bench")


async def drop_postgres_database(url: str) -> None:
    await drop_database(POSTGRES_URL, url, "werkplaats_bench")


@contextlib.asynccontextmanager
async def database(store: str, directory: Path) -> AsyncIterator[str]:
    """An empty database on `store`; a PostgreSQL database is dropped afterwards."""
    if store == "sqlite":
        yield normalize_database_url(f"sqlite:///{directory / f'bench-{uuid.uuid4().hex[:8]}.db'}")
        return
    url = await create_postgres_database()
    try:
        yield url
    finally:
        await drop_postgres_database(url)


class WerkplaatsServer(Server):
    """`werkplaats serve --workers 1` on a migrated, seeded database (tests/sessions/live.py),
    optionally under py-spy."""

    profile_to: Path | None = None

    def start(self) -> None:
        command = [WERKPLAATS, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--workers", "1"]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=log)
        _wait_for_port(self.port, self.process, self.log_path)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            time.sleep(0.05)
        raise RuntimeError("the server did not become healthy")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


class BaselineServer:
    def __init__(self, directory: Path, coalesce: bool = False, loop: str = "uvloop") -> None:
        self.coalesce = coalesce
        self.port = free_port()
        self.ws = f"ws://127.0.0.1:{self.port}/"
        self.log_path = directory / f"baseline-{self.port}.log"
        self.loop = loop
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, str(HERE / "baseline_server.py"), "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "--loop", self.loop, *(["--coalesce"] if self.coalesce else [])],
                stdout=log,
                stderr=log,
            )
        _wait_for_port(self.port, self.process, self.log_path)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("server did not listen")


@contextlib.contextmanager
def stopping(server: WerkplaatsServer | BaselineServer) -> Iterator[None]:
    try:
        yield
    finally:
        if isinstance(server, BaselineServer):
            server.stop()
        else:
            with contextlib.suppress(Exception):
                server.stop()
            if server.process is not None:  # stop() timed out
                server.process.kill()
                server.process.wait()
                server.process = None


# The load generator ------------------------------------------------------------------------------


class LoadGen:
    """One or more `node loadgen.js` processes that together hold `clients` websockets."""

    def __init__(self, config: dict[str, Any], processes: int) -> None:
        self.config = config
        self.count = processes
        self.procs: list[asyncio.subprocess.Process] = []
        self.clients = [
            config["clients"] // processes + (1 if i < config["clients"] % processes else 0)
            for i in range(processes)
        ]
        self.senders = [
            config["senders"] // processes + (1 if i < config["senders"] % processes else 0)
            for i in range(processes)
        ]

    async def start(self) -> dict[str, Any]:
        node = shutil.which("node") or "node"
        for i in range(self.count):
            config = {**self.config, "worker": i, "clients": self.clients[i]}
            config["senders"] = self.senders[i]
            proc = await asyncio.create_subprocess_exec(
                node,
                str(HERE / "loadgen.js"),
                json.dumps(config),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                limit=2**26,
            )
            self.procs.append(proc)
        await self._all("joined", timeout=300)
        return {}

    async def connect(self) -> list[dict[str, Any]]:
        await self._send_all({"cmd": "connect"})
        return await self._all("ready", timeout=600)

    async def step(
        self, step: int, rate: float, warmup: float, duration: float, drain: float
    ) -> tuple[int, list[dict[str, Any]]]:
        start = time.time() * 1000 + 300
        shares = [rate * s / self.config["senders"] for s in self.senders]
        measured = sum(round(r * (warmup + duration)) - round(r * warmup) for r in shares)
        for proc, share, clients in zip(self.procs, shares, self.clients, strict=True):
            await self._send(
                proc,
                {
                    "cmd": "step",
                    "step": step,
                    "rate": share,
                    "start": start,
                    "warmup": warmup,
                    "duration": duration,
                    "drain": drain,
                    "expected": measured * clients,
                },
            )
        replies = await self._all("step", timeout=warmup + duration + drain + 60)
        return measured, replies

    async def close(self) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                with contextlib.suppress(Exception):
                    await self._send(proc, {"cmd": "close"})
        for proc in self.procs:
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        self.procs = []

    async def _send(self, proc: asyncio.subprocess.Process, message: dict[str, Any]) -> None:
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(message).encode() + b"\n")
        await proc.stdin.drain()

    async def _send_all(self, message: dict[str, Any]) -> None:
        for proc in self.procs:
            await self._send(proc, message)

    async def _all(self, event: str, timeout: float) -> list[dict[str, Any]]:
        async def one(proc: asyncio.subprocess.Process) -> dict[str, Any]:
            assert proc.stdout is not None
            while True:
                line = await proc.stdout.readline()
                if not line:
                    raise RuntimeError(f"the load generator exited ({await proc.wait()})")
                message = json.loads(line)
                if message.get("event") == event:
                    return dict(message)

        return list(await asyncio.wait_for(asyncio.gather(*(one(p) for p in self.procs)), timeout))


# Throughput: highest rate with p99 <= 100 ms -----------------------------------------------------


@dataclass
class Step:
    rate: float
    measured: int  # commands sent in the measured window
    expected: int  # deliveries expected: measured × clients
    received: int
    p50: float
    p99: float
    max: float
    errors: int
    closes: int
    server_cpu: float  # share of one core over the step
    loadgen_cpu: list[float]  # per load generator process, share of one core
    others_cpu: float  # cores used by every other process on the machine meanwhile
    quiet_before: float  # cores busy just before the step (others: our processes are idle)
    lag_p99: float  # how late the generator itself sent (ms), worst process
    load: float
    error_samples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.received == self.expected
            and self.p99 <= P99_AIM_MS
            and self.errors == 0
            and self.closes == 0
        )

    def why(self) -> str:
        if self.closes:
            return f"{self.closes} disconnected"
        if self.received < self.expected:
            return f"{self.expected - self.received} not delivered"
        if self.errors:
            return f"{self.errors} errors"
        if self.p99 > P99_AIM_MS:
            return "p99 > 100 ms"
        return "ok"


def merge(replies: list[dict[str, Any]]) -> tuple[float, float, float]:
    counts: dict[int, int] = {}
    bucket = float(replies[0]["bucket_ms"])
    for reply in replies:
        for index, count in reply["hist"]:
            counts[index] = counts.get(index, 0) + count
    total = sum(counts.values())
    if total == 0:
        return float("inf"), float("inf"), float("inf")
    order = sorted(counts)

    def quantile(q: float) -> float:
        need, seen = q * total, 0
        for index in order:
            seen += counts[index]
            if seen >= need:
                return (index + 1) * bucket
        return (order[-1] + 1) * bucket

    return quantile(0.5), quantile(0.99), (order[-1] + 1) * bucket


async def run_step(gen: LoadGen, pid: int, k: int, rate: float, args: argparse.Namespace) -> Step:
    quiet = await wait_quiet(args.quiet, args.quiet_wait)
    pids = [pid, *(p.pid for p in gen.procs)]
    cpu0, busy0, t0 = [cpu_seconds(p) for p in pids], machine_busy(), time.monotonic()
    measured, replies = await gen.step(k, rate, args.warmup, args.duration, args.drain)
    cpu1, busy1, t1 = [cpu_seconds(p) for p in pids], machine_busy(), time.monotonic()
    used = [(b - a) / (t1 - t0) for a, b in zip(cpu0, cpu1, strict=True)]
    p50, p99, worst = merge(replies)
    step = Step(
        rate=rate,
        measured=measured,
        expected=measured * gen.config["clients"],
        received=sum(r["received"] for r in replies),
        p50=p50,
        p99=p99,
        max=worst,
        errors=sum(r["errors"] for r in replies),
        closes=sum(r["closes"] for r in replies),
        server_cpu=used[0],
        loadgen_cpu=used[1:],
        others_cpu=max(0.0, (busy1 - busy0) / (t1 - t0) - sum(used)),
        quiet_before=quiet,
        lag_p99=max(r["lag_p99_ms"] for r in replies),
        load=loadavg()[0],
        error_samples=[s for r in replies for s in r["error_samples"]][:3],
    )
    bad_checks = sum(r["check_failures"] for r in replies)
    if bad_checks:
        raise RuntimeError(f"the load generator's scan disagreed with JSON.parse {bad_checks}×")
    return step


def say(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


def show_step(label: str, step: Step) -> None:
    say(
        f"  {label:<22} {step.rate:>7.0f}/s  p50 {step.p50:7.1f} ms  p99 {step.p99:8.1f} ms  "
        f"delivered {step.received}/{step.expected}  server cpu {step.server_cpu:4.0%}  "
        f"loadgen cpu {'+'.join(f'{c:.0%}' for c in step.loadgen_cpu)}  others "
        f"{step.others_cpu:.2f} (before {step.quiet_before:.2f})  lag p99 "
        f"{step.lag_p99:.1f} ms  load {step.load:.2f}  {step.why()}"
    )


async def find_max_rate(
    label: str,
    make_gen: Any,
    pid: int,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Double the rate until a step fails, then bisect (geometrically) a few times."""
    steps: list[Step] = []
    gen: LoadGen = await make_gen()
    k = 0
    try:
        best: Step | None = None
        failed: Step | None = None
        rate = args.start_rate
        while rate <= args.max_rate:
            k += 1
            step = await run_step(gen, pid, k, rate, args)
            steps.append(step)
            show_step(label, step)
            if not step.ok:
                failed = step
                break
            best = step
            rate *= 2
        for _ in range(args.refine):
            if failed is None:
                break
            low = best.rate if best is not None else failed.rate / 2
            rate = round((low * failed.rate) ** 0.5 / 10) * 10
            if rate <= low or rate >= failed.rate:
                break
            if steps[-1].closes or steps[-1].received < steps[-1].expected:
                await gen.close()  # some clients were disconnected, or frames are still queued
                await asyncio.sleep(args.pause)
                gen = await make_gen()
            else:
                await asyncio.sleep(args.pause)
            k += 1
            step = await run_step(gen, pid, k, rate, args)
            steps.append(step)
            show_step(label, step)
            if step.ok:
                best = step
            else:
                failed = step
    finally:
        await gen.close()
    return {
        "label": label,
        "best": best,
        "first_failure": failed,
        "steps": steps,
    }


async def werkplaats_gen(
    server: WerkplaatsServer, args: argparse.Namespace, processes: int
) -> LoadGen:
    created = await server.create_session(
        title="Benchmark", variant="intervisie", max_participants=MAX_PARTICIPANTS
    )
    join_code = created["join_code"]
    gen = LoadGen(
        {
            "mode": "werkplaats",
            "http": server.url,
            "ws": server.url.replace("http", "ws"),
            "code": join_code,
            "clients": args.clients,
            "senders": args.senders,
            "deflate": args.deflate,
        },
        processes,
    )
    await gen.start()
    ready = await gen.connect()
    if sum(r["open"] for r in ready) != args.clients:
        raise RuntimeError(f"not every client connected: {ready}")
    return gen


async def baseline_gen(server: BaselineServer, args: argparse.Namespace, processes: int) -> LoadGen:
    gen = LoadGen(
        {
            "mode": "baseline",
            "ws": server.ws,
            "clients": args.clients,
            "senders": args.senders,
            "deflate": args.deflate,
        },
        processes,
    )
    await gen.start()
    await gen.connect()
    return gen


# Memory per idle connection ----------------------------------------------------------------------


async def settle_rss(pid: int, seconds: float = 3.0) -> int:
    await asyncio.sleep(seconds)
    return rss_kib(pid)


async def memory_werkplaats(
    server: WerkplaatsServer, args: argparse.Namespace, resume_hello: bool
) -> dict[str, Any]:
    """RSS before and after `idle` joined participants connect (and say hello) and stay idle.
    With `resume_hello` they say they already have the current seq, so their welcome carries no
    state: what remains is the connection itself, without the transient welcome buffers."""
    # Warm up the code paths first (join, connect, welcome, close), so their one-time cost
    # (imports, caches) is not counted per connection.
    warm = await werkplaats_gen_idle(server, 20)
    await warm.close()
    created = await server.create_session(
        title="Geheugen", variant="intervisie", max_participants=MAX_PARTICIPANTS
    )
    before = await settle_rss(server.pid)
    gen = LoadGen(
        {
            "mode": "werkplaats",
            "http": server.url,
            "ws": server.url.replace("http", "ws"),
            "code": created["join_code"],
            "clients": args.idle,
            "senders": 0,
            "deflate": args.deflate,
            "resumeHello": resume_hello,
        },
        1,
    )
    try:
        await gen.start()
        joined = await settle_rss(server.pid)
        ready = await gen.connect()
        connected = await settle_rss(server.pid)
        assert sum(r["open"] for r in ready) == args.idle, ready
    finally:
        await gen.close()
    closed = await settle_rss(server.pid)
    return {
        "connections": args.idle,
        "rss_before_kib": before,
        "rss_joined_kib": joined,
        "rss_connected_kib": connected,
        "rss_closed_kib": closed,  # after they all closed again: what the process keeps
        "per_connection_kib": (connected - joined) / args.idle,
        "per_participant_kib": (connected - before) / args.idle,
    }


async def werkplaats_gen_idle(server: WerkplaatsServer, clients: int) -> LoadGen:
    created = await server.create_session(
        title="Opwarmen", variant="intervisie", max_participants=MAX_PARTICIPANTS
    )
    gen = LoadGen(
        {
            "mode": "werkplaats",
            "http": server.url,
            "ws": server.url.replace("http", "ws"),
            "code": created["join_code"],
            "clients": clients,
            "senders": 0,
        },
        1,
    )
    await gen.start()
    await gen.connect()
    return gen


async def memory_baseline(server: BaselineServer, args: argparse.Namespace) -> dict[str, Any]:
    warm = LoadGen({"mode": "baseline", "ws": server.ws, "clients": 20, "senders": 0}, 1)
    await warm.start()
    await warm.connect()
    await warm.close()
    before = await settle_rss(server.pid)
    gen = LoadGen({"mode": "baseline", "ws": server.ws, "clients": args.idle, "senders": 0}, 1)
    try:
        await gen.start()
        await gen.connect()
        connected = await settle_rss(server.pid)
    finally:
        await gen.close()
    return {
        "connections": args.idle,
        "rss_before_kib": before,
        "rss_connected_kib": connected,
        "per_connection_kib": (connected - before) / args.idle,
    }


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


# Where the server's time goes --------------------------------------------------------------------


@contextlib.contextmanager
def profiling(pid: int, store: str, args: argparse.Namespace) -> Iterator[None]:
    """With --py-spy DIR: sample the server with py-spy while the block runs, then summarise."""
    if not args.py_spy:
        yield
        return
    directory = Path(args.py_spy)
    directory.mkdir(parents=True, exist_ok=True)
    output = directory / f"werkplaats-{store}.txt"
    py_spy = shutil.which("py-spy") or args.py_spy_bin
    spy = subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(pid),
            "--rate",
            "100",
            "--format",
            "raw",
            "--nonblocking",
            "--gil",
            "--output",
            str(output),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        try:
            spy.wait(timeout=60)
        except subprocess.TimeoutExpired:
            spy.kill()
            spy.wait()
    if output.exists():
        say(summarise_profile(output))


def summarise_profile(path: Path, top: int = 25) -> str:
    """Self and inclusive shares per function from py-spy's collapsed stacks."""
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = [re.sub(r" \(/.*?/(site-packages|main)/", " (", f) for f in stack.split(";")]
        frames = [f for f in frames if not f.startswith("process ") and not f.startswith("thread ")]
        if not frames:
            continue
        total += count
        own[frames[-1]] = own.get(frames[-1], 0) + count
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count
    lines = [f"py-spy: {path} ({total} samples)", "  self:"]
    for frame, count in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"    {count / total:6.1%}  {frame}")
    lines.append("  inclusive:")
    for frame, count in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"    {count / total:6.1%}  {frame}")
    return "\n".join(lines)


# The run -----------------------------------------------------------------------------------------


async def werkplaats_store(store: str, directory: Path, args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"store": store}
    async with database(store, directory) as url:
        data = directory / store
        data.mkdir()
        # Each of the few senders sends far more commands than a person may (sessions/flood.py):
        # the throughput step measures the server, not the per-participant limit.
        env = {
            "WERKPLAATS_SECRET_KEY": secrets.token_urlsafe(48),
            "WERKPLAATS_COMMANDS_PER_SECOND": "100000",
        }
        env.update(dict(kv.split("=", 1) for kv in args.server_env))
        server = WerkplaatsServer(url, data, env)
        server.prepare()
        if "memory" in args.only:
            for key, resume_hello in (("memory", False), ("memory_resumed", True)):
                how = "hello with last_seq" if resume_hello else "hello, welcome with the state"
                say(f"werkplaats/{store}: memory per idle connection ({args.idle}; {how})")
                server.start()  # a fresh process for each: RSS only grows
                with stopping(server):
                    result[key] = await memory_werkplaats(server, args, resume_hello)
                say(f"  {result[key]}")
        if "throughput" in args.only or "resume" in args.only:
            server.start()
            with stopping(server):
                if "throughput" in args.only:
                    say(f"werkplaats/{store}: throughput, {args.clients} clients")
                    with profiling(server.pid, store, args):
                        result["throughput"] = await find_max_rate(
                            f"werkplaats/{store}",
                            lambda: werkplaats_gen(server, args, args.loadgen_processes),
                            server.pid,
                            args,
                        )
                if "resume" in args.only:
                    say(f"werkplaats/{store}: resume after {args.missed} missed events")
                    result["resume"] = await resume(server, args)
                    say(f"  {result['resume']}")
        if "throughput" in args.only and args.check_loadgen:
            # The same again with the clients spread over twice as many load generator processes:
            # if the load generator were the limit, this would find a higher rate.
            count = args.loadgen_processes * 2
            server.start()  # a fresh process, as for the first run
            with stopping(server):
                label = f"werkplaats/{store} ({count} loadgen)"
                say(f"{label}: throughput, {args.clients} clients")
                result[f"throughput_{count}"] = await find_max_rate(
                    label, lambda: werkplaats_gen(server, args, count), server.pid, args
                )
    return result


async def baseline(
    directory: Path, args: argparse.Namespace, coalesce: bool = False
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    name = "coalescing baseline" if coalesce else "baseline"
    if "memory" in args.only and not coalesce:
        server = BaselineServer(directory)
        server.start()
        with stopping(server):
            say(f"{name}: memory per idle connection ({args.idle} connections)")
            result["memory"] = await memory_baseline(server, args)
        say(f"  {result['memory']}")
    if "throughput" in args.only:
        processes = [args.loadgen_processes]
        if args.check_loadgen:
            processes.append(args.loadgen_processes * 2)
        for count in processes:
            server = BaselineServer(directory, coalesce)
            server.start()
            with stopping(server):
                label = f"{name} ({count} loadgen)"
                say(f"{label}: throughput, {args.clients} clients")
                result[f"throughput_{count}"] = await find_max_rate(
                    label, lambda c=count, s=server: baseline_gen(s, args, c), server.pid, args
                )
    return result


def step_dict(step: Step, clients: int) -> dict[str, Any]:
    return {
        "rate": step.rate,
        "deliveries_per_s": step.rate * clients,
        "p50_ms": round(step.p50, 2),
        "p99_ms": round(step.p99, 2),
        "max_ms": round(step.max, 2),
        "delivered": step.received,
        "expected": step.expected,
        "errors": step.errors,
        "closes": step.closes,
        "server_cpu": round(step.server_cpu, 3),
        "loadgen_cpu": [round(c, 3) for c in step.loadgen_cpu],
        "others_cpu": round(step.others_cpu, 3),
        "busy_before": round(step.quiet_before, 3),
        "loadgen_lag_p99_ms": round(step.lag_p99, 2),
        "load1": step.load,
        "ok": step.ok,
        "why": step.why(),
        "error_samples": step.error_samples,
    }


def plain(results: dict[str, Any], clients: int) -> dict[str, Any]:
    """Turn Steps into dicts, for --json."""

    def walk(value: Any) -> Any:
        if isinstance(value, Step):
            return step_dict(value, clients)
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return dict(walk(results))


def baseline_best(results: dict[str, Any], key: str = "baseline") -> Step | None:
    """A baseline's highest passing step over its runs (1 and 2 load generator processes):
    the run least limited by the load generator."""
    found = [v["best"] for k, v in results.get(key, {}).items() if k.startswith("throughput")]
    found = [f for f in found if f is not None]
    return max(found, key=lambda s: s.rate) if found else None


def table(results: dict[str, Any], clients: int) -> str:
    lines = []
    base = baseline_best(results)
    coalescing = baseline_best(results, "baseline_coalescing")
    lines.append(
        f"Throughput: one session, {clients} clients, the highest rate with every event delivered "
        f"and p99 ≤ {P99_AIM_MS:.0f} ms (events/s; each is delivered to every client)"
    )
    lines.append("")
    lines.append(
        "| server | events/s | deliveries/s | p50 | p99 | server CPU | loadgen CPU | others CPU "
        "| × baseline | × coalescing baseline | next step up |"
    )
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    rows = []
    for store in ("sqlite", "postgres"):
        for key, value in results.get(store, {}).items():
            if key.startswith("throughput"):
                count = key.partition("_")[2] or str(results["environment"]["loadgen_processes"])
                rows.append((f"werkplaats, {store}, {count} loadgen process(es)", value))
    for key, name in (("baseline", "baseline"), ("baseline_coalescing", "coalescing baseline")):
        rows += [
            (f"{name}, {k.split('_')[1]} loadgen process(es)", v)
            for k, v in results.get(key, {}).items()
            if k.startswith("throughput")
        ]
    for name, found in rows:
        if not found:
            continue
        best: Step | None = found["best"]
        failed: Step | None = found["first_failure"]
        up = f"{failed.rate:,.0f}/s: p99 {failed.p99:,.0f} ms, {failed.why()}" if failed else ""
        if best is None:
            lines.append(f"| {name} | < {args_start(found)} | | | | | | | | | {up} |")
            continue
        ratio = f"{best.rate / base.rate:.2f}" if base else ""
        ratio2 = f"{best.rate / coalescing.rate:.2f}" if coalescing else ""
        lines.append(
            f"| {name} | {best.rate:,.0f} | {best.rate * clients:,.0f} | {best.p50:.1f} ms "
            f"| {best.p99:.1f} ms | {best.server_cpu:.0%} | "
            f"{' + '.join(f'{c:.0%}' for c in best.loadgen_cpu)} | {best.others_cpu:.2f} "
            f"| {ratio} | {ratio2} | {up} |"
        )
    if not any(found for _name, found in rows):
        lines = []  # no throughput measured
    lines.append("")
    lines.append("| figure | werkplaats, sqlite | werkplaats, postgres | baseline | aim | met |")
    lines.append("|---|---:|---:|---:|---:|---|")

    def get(store: str, *path: str) -> Any:
        value: Any = results.get(store)
        for key in path:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    def cells(values: list[Any], fmt: str) -> str:
        return " | ".join("" if v is None else fmt.format(v) for v in values)

    def met(ok: bool | None) -> str:
        return "" if ok is None else ("yes" if ok else "**no**")

    stores = ("sqlite", "postgres")
    mem = [get(s, "memory", "per_connection_kib") for s in (*stores, "baseline")]
    if any(m is not None for m in mem):
        app = [m for m in mem[:2] if m is not None]
        lines.append(
            f"| memory per idle connection (new participants; welcome with the state) | "
            f"{cells(mem, '{:.1f} KiB')} | ≤ {MEMORY_AIM_KIB:.0f} KiB | "
            f"{met(max(app) <= MEMORY_AIM_KIB if app else None)} |"
        )
        res = [get(s, "memory_resumed", "per_connection_kib") for s in stores]
        if any(r is not None for r in res):
            ok = [r for r in res if r is not None]
            lines.append(
                f"| memory per idle connection (hello with last_seq; welcome without state) | "
                f"{cells([*res, None], '{:.1f} KiB')} | ≤ {MEMORY_AIM_KIB:.0f} KiB | "
                f"{met(max(ok) <= MEMORY_AIM_KIB)} |"
            )
    app = [get(s, "appends", "per_second") for s in stores]
    if any(a is not None for a in app):
        spread = [
            None
            if get(s, "appends") is None
            else f"{get(s, 'appends', 'per_second'):,.0f}/s ("
            f"{get(s, 'appends', 'min_per_second'):,.0f}–"
            f"{get(s, 'appends', 'max_per_second'):,.0f})"
            for s in stores
        ]
        have = [a for a in app if a is not None]
        lines.append(
            f"| event-log appends per second, chat.posted (median; range) | "
            f"{cells([*spread, None], '{}')} "
            f"| ≥ {APPENDS_AIM:,.0f}/s | {met(min(have) >= APPENDS_AIM)} |"
        )
    app_edit = [get(s, "appends_edit", "per_second") for s in stores]
    if any(a is not None for a in app_edit):
        spread = [
            None
            if get(s, "appends_edit") is None
            else f"{get(s, 'appends_edit', 'per_second'):,.0f}/s ("
            f"{get(s, 'appends_edit', 'min_per_second'):,.0f}–"
            f"{get(s, 'appends_edit', 'max_per_second'):,.0f})"
            for s in stores
        ]
        have = [a for a in app_edit if a is not None]
        lines.append(
            f"| … note.edited, the state stays small (median; range) | "
            f"{cells([*spread, None], '{}')} "
            f"| ≥ {APPENDS_AIM:,.0f}/s | {met(min(have) >= APPENDS_AIM)} |"
        )
    res = [get(s, "resume") for s in stores]
    if any(r is not None for r in res):
        text = [
            None if r is None else f"{r['median_ms']:.1f} ms; {r['max_ms']:.1f} ms" for r in res
        ]
        worst = max(r["max_ms"] for r in res if r is not None)
        lines.append(
            f"| resume after {args_missed(res)} missed events (median; max) | "
            f"{cells([*text, None], '{}')} | < {RESUME_AIM_MS:.0f} ms | "
            f"{met(worst < RESUME_AIM_MS)} |"
        )
    env = results["environment"]
    lines.append("")
    lines.append(
        f"nproc {env['nproc']}, Python {env['python']}, Node {env['node']}, ws {env['ws']}; "
        f"load average at start {env['load_start']}, at end {env.get('load_end')}"
    )
    return "\n".join(lines)


def args_missed(res: list[Any]) -> str:
    return next(f"{r['missed']:,}" for r in res if r is not None)


def args_start(found: dict[str, Any]) -> str:
    steps = found["steps"]
    return f"{steps[0].rate:.0f}" if steps else "?"


async def main(args: argparse.Namespace) -> dict[str, Any]:
    node_version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout
    ws_version = json.loads((HERE / "node_modules/ws/package.json").read_text())["version"]
    results: dict[str, Any] = {
        "environment": {
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "node": node_version.strip(),
            "ws": ws_version,
            "machine": platform.machine(),
            "load_start": loadavg(),
            "clients": args.clients,
            "senders": args.senders,
            "loadgen_processes": args.loadgen_processes,
            "warmup_s": args.warmup,
            "duration_s": args.duration,
            "deflate": args.deflate,
        }
    }
    directory = Path(tempfile.mkdtemp(prefix="werkplaats-bench-live-"))
    try:
        if "appends" in args.only:
            for store in args.stores:
                for kind, key in (("chat", "appends"), ("edit", "appends_edit")):
                    what = f"{args.appends} {kind} events, {args.append_tasks} tasks"
                    say(f"appends on {store}: {what}")
                    runs = []
                    for _ in range(args.append_runs):  # a fresh database each time
                        busy = await wait_quiet(args.quiet, args.quiet_wait)
                        figures = await appends(store, directory, args, kind)
                        runs.append({**figures, "busy_before": busy})
                        say(f"  {runs[-1]}")
                    rates = sorted(r["per_second"] for r in runs)
                    results.setdefault(store, {})[key] = {
                        "per_second": statistics.median(rates),
                        "min_per_second": rates[0],
                        "max_per_second": rates[-1],
                        "runs": runs,
                    }
        for store in args.stores:
            results.setdefault(store, {}).update(await werkplaats_store(store, directory, args))
        if "baseline" not in args.skip:
            results["baseline"] = await baseline(directory, args)
        if "coalescing" not in args.skip and "throughput" in args.only:
            results["baseline_coalescing"] = await baseline(directory, args, coalesce=True)
    finally:
        results["environment"]["load_end"] = loadavg()
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            say(f"kept {directory}")
    return results


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--save", metavar="FILE", help="also write the figures as JSON to FILE")
    parser.add_argument("--stores", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument(
        "--only",
        default="throughput,memory,appends,resume",
        help="which benchmarks: throughput,memory,appends,resume",
    )
    parser.add_argument(
        "--skip", default="", help="baseline,coalescing: skip those baseline servers"
    )
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--start-rate", type=float, default=100)
    parser.add_argument("--max-rate", type=float, default=25_600)
    parser.add_argument("--refine", type=int, default=2, help="bisection steps after a failure")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds sent, not measured")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds measured")
    parser.add_argument("--drain", type=float, default=5.0, help="seconds to wait for stragglers")
    parser.add_argument("--pause", type=float, default=3.0)
    parser.add_argument(
        "--quiet",
        type=float,
        default=0.3,
        help="before each step, wait until the machine uses fewer cores than this",
    )
    parser.add_argument("--quiet-wait", type=float, default=180, help="but no longer (seconds)")
    parser.add_argument("--loadgen-processes", type=int, default=1)
    parser.add_argument(
        "--no-check-loadgen",
        dest="check_loadgen",
        action="store_false",
        help="do not repeat the baseline with twice the load generator processes",
    )
    parser.add_argument("--deflate", action="store_true", help="clients offer permessage-deflate")
    parser.add_argument("--idle", type=int, default=1000, help="idle connections for memory")
    parser.add_argument("--appends", type=int, default=20_000)
    parser.add_argument("--append-tasks", type=int, default=200)
    parser.add_argument("--append-runs", type=int, default=3, help="report the median")
    parser.add_argument("--missed", type=int, default=1000)
    parser.add_argument("--resume-rounds", type=int, default=20)
    parser.add_argument(
        "--py-spy", metavar="DIR", help="sample the server with py-spy during throughput"
    )
    parser.add_argument("--py-spy-bin", default="py-spy", help="py-spy when not on PATH")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for `werkplaats serve` (diagnosis, e.g. MALLOC_ARENA_MAX=2)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    args = parser.parse_args()
    args.stores = [s for s in args.stores.split(",") if s]
    args.only = {s for s in args.only.split(",") if s}
    args.skip = {s for s in args.skip.split(",") if s}
    return args


if __name__ == "__main__":
    arguments = parse_args()
    if not (HERE / "node_modules" / "ws").exists():
        sys.exit("run `npm ci --prefix bench/live` first")
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    # uvloop, as `werkplaats serve` runs (it matters for the in-process appends)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        figures = runner.run(main(arguments))
    if arguments.save:
        Path(arguments.save).write_text(json.dumps(plain(figures, arguments.clients), indent=2))
    if arguments.json:
        print(json.dumps(plain(figures, arguments.clients), indent=2))
    else:
        print(table(figures, arguments.clients))
