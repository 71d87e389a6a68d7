"""Processes and databases of the live-session benchmarks: the servers under test, the
machine's load, a database per store, and where the server's time goes (py-spy)."""

# ruff: noqa: S603  (a benchmark: it starts its own servers)

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx

from server.settings import normalize_database_url
from tests.postgres import create_database, drop_database
from tests.server.test_cli import WERKPLAATS, free_port
from tests.sessions.live import Server

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


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


def say(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


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
