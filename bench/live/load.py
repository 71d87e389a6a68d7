"""The load generator (loadgen.js) and its steps: a rate held for a while, what it delivered."""

# ruff: noqa: ASYNC109  (a benchmark: timeouts are plain seconds, as loadgen.js takes them)

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import time
from dataclasses import dataclass, field
from typing import Any

from processes import (
    HERE,
    P99_AIM_MS,
    BaselineServer,
    WerkplaatsServer,
    cpu_seconds,
    loadavg,
    machine_busy,
    wait_quiet,
)

from sessions.joins import MAX_PARTICIPANTS

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
