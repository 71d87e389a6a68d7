"""Benchmarks of live sessions: fan-out throughput against a bare broadcast server, memory per
idle connection, event-log appends per second, and resume after missed events.

    npm ci --prefix bench/live                    # once: the load generator's `ws` package
    .venv/bin/python bench/live/run.py            # a table
    .venv/bin/python bench/live/run.py --json     # the same figures, machine-readable

Not a test: nothing here runs in CI. See bench/README.md for what each figure means.
"""

# ruff: noqa: S607, ASYNC221  (a benchmark: it starts its own servers)

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import uvloop  # noqa: E402
from eventlog import appends, resume  # noqa: E402
from load import LoadGen, Step, baseline_gen, run_step, werkplaats_gen  # noqa: E402
from memory import memory_baseline, memory_werkplaats  # noqa: E402
from processes import (  # noqa: E402
    BaselineServer,
    WerkplaatsServer,
    database,
    loadavg,
    profiling,
    say,
    stopping,
    wait_quiet,
)
from report import plain, show_step, table  # noqa: E402


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
