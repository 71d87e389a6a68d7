"""What the live-session benchmarks say: progress on stderr, the table, the JSON."""

from __future__ import annotations

from typing import Any

from load import Step
from processes import APPENDS_AIM, MEMORY_AIM_KIB, P99_AIM_MS, RESUME_AIM_MS, say


def show_step(label: str, step: Step) -> None:
    say(
        f"  {label:<22} {step.rate:>7.0f}/s  p50 {step.p50:7.1f} ms  p99 {step.p99:8.1f} ms  "
        f"delivered {step.received}/{step.expected}  server cpu {step.server_cpu:4.0%}  "
        f"loadgen cpu {'+'.join(f'{c:.0%}' for c in step.loadgen_cpu)}  others "
        f"{step.others_cpu:.2f} (before {step.quiet_before:.2f})  lag p99 "
        f"{step.lag_p99:.1f} ms  load {step.load:.2f}  {step.why()}"
    )


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
