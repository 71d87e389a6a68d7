"""Benchmark of the pure matching function, `catalogue.matching.rank.match`.

Run it with `.venv/bin/python bench/matching.py` (add `--json` for machine-readable figures,
`--profile` for where the time goes). It times `match()` per request, p50 and p99, on the real
catalogue and on a generated catalogue of 5,000 variants (also with evidence from earlier
sessions for every goal each variant serves), and next to it a baseline: a trivial loop over
the same variants that reads their goal weights for the requested goals. See bench/README.md
for what the figures mean and the latest ones measured.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import gc
import io
import json
import os
import platform
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from catalogue.evidence.summary import SessionRating, evidence_table
from catalogue.matching.rank import EvidenceTable, match
from catalogue.matching.request import MatchRequest, validate_request
from catalogue.seed import load_content
from catalogue.variants.schema import Variant
from catalogue.vocabulary import MAX_WEIGHT, MODALITIES, ROLES

SEED = 20_261_123
GENERATED_SIZE = 5_000
# Aims from the issue: p99 of one match() call.
AIM_REAL_MS = 5.0
AIM_GENERATED_MS = 50.0

# Goal combinations a group brings, as a list (equal weights) or with weights.
GOAL_SETS: tuple[list[str] | dict[str, int], ...] = (
    ["reflecteren", "casus-oplossen"],
    ["kennis-delen", "netwerk-versterken"],
    ["dilemmas-bespreken"],
    ["ervaringskennis-benutten"],
    ["team-positioneren"],
    ["product-ontwikkelen", "innoveren"],
    ["praktijkvraag-onderzoeken", "ervaringskennis-benutten"],
    ["reflecteren"],
    ["kennis-delen", "reflecteren", "netwerk-versterken"],
    {"reflecteren": 3, "casus-oplossen": 1},
    {"kennis-delen": 1, "innoveren": 3, "netwerk-versterken": 2},
    {"dilemmas-bespreken": 2, "team-positioneren": 1},
)
GROUP_SIZES = (2, 4, 6, 8, 10, 12, 15, 20, 25, 40, 60, 120)
MINUTES = (30, 45, 60, 75, 90, 100, 120, 150, 180, 240)
ROLE_SETS: tuple[list[str], ...] = (
    [],
    ["professionals"],
    ["professionals", "beleidsmakers"],
    ["professionals", "bewoners", "ervaringsdeskundigen"],
    ["studenten", "docenten"],
    ["professionals", "onderzoekers", "studenten", "docenten"],
    ["bewoners"],
)


def realistic_requests(count: int, goal_slugs: Sequence[str], seed: int) -> list[MatchRequest]:
    """`count` varied requests, through the same validation the API uses."""
    rng = random.Random(seed)  # noqa: S311  (a reproducible mix, not a secret)
    requests: list[MatchRequest] = []
    while len(requests) < count:
        body = {
            "goals": rng.choice(GOAL_SETS),
            "group_size": rng.choice(GROUP_SIZES),
            "minutes": rng.choice(MINUTES),
            "modality": rng.choice(list(MODALITIES)),
            "roles": rng.choice(ROLE_SETS),
        }
        request = validate_request(body, goal_slugs)
        assert isinstance(request, MatchRequest), request
        requests.append(request)
    return requests


def generated_catalogue(real: Sequence[Variant], size: int, seed: int) -> list[Variant]:
    """`size` variants derived from the real ones, each a little different."""
    rng = random.Random(seed)  # noqa: S311  (a reproducible catalogue, not a secret)
    variants = []
    for index in range(size):
        base = rng.choice(real)
        goals = {
            goal: max(0, min(MAX_WEIGHT, weight + rng.choice((-1, 0, 0, 1))))
            for goal, weight in base.goals.items()
        }
        if max(goals.values()) < 2:  # every variant serves some goal well, as in the content
            goals[rng.choice(list(goals))] = rng.choice((2, 3))
        scale = rng.uniform(0.6, 1.6)
        group_min = max(1, round(base.group_min * scale))
        group_ideal = max(group_min, round(base.group_ideal * scale))
        group_max = max(group_ideal, round(base.group_max * scale))
        stretch = rng.uniform(0.7, 1.5)
        minutes_min = max(5, round(base.minutes_min * stretch))
        minutes_typical = max(minutes_min, round(base.minutes_typical * stretch))
        modalities = tuple(m for m in MODALITIES if rng.random() < 0.7) or (
            rng.choice(list(MODALITIES)),
        )
        roles = tuple(r for r in ROLES if rng.random() < 0.6) or (rng.choice(list(ROLES)),)
        variants.append(
            dataclasses.replace(
                base,
                slug=f"{base.slug}-{index}",
                title=f"{base.title} {index}",
                goals=goals,
                group_min=group_min,
                group_ideal=group_ideal,
                group_max=group_max,
                minutes_min=minutes_min,
                minutes_typical=minutes_typical,
                modalities=modalities,
                roles=roles,
            )
        )
    return variants


def generated_evidence(variants: Sequence[Variant], seed: int) -> EvidenceTable:
    """Evidence for every goal each variant serves: 1 to 20 sessions in up to three regions,
    rated around the curated weight. More than any real catalogue will have for years."""
    rng = random.Random(seed)  # noqa: S311  (reproducible ratings, not a secret)
    regions = ("zwolle", "gelderse-vallei", "zuid-holland-zuid")
    ratings = []
    for variant in variants:
        for goal, weight in variant.goals.items():
            if not weight:
                continue
            centre = 1 + 4 * weight / MAX_WEIGHT
            for _ in range(rng.randint(1, 20)):
                mean = min(5.0, max(1.0, rng.gauss(centre, 0.8)))
                ratings.append(SessionRating(variant.slug, goal, rng.choice(regions), 6, mean))
    return evidence_table(ratings)


def baseline(variants: Sequence[Variant], request: MatchRequest) -> float:
    """The least any matching must do: visit every variant, read its requested goal weights."""
    total = 0.0
    for variant in variants:
        for goal, weight in request.goals.items():
            total += weight * variant.goals.get(goal, 0)
    return total


def _percentile(samples_ns: Sequence[int], fraction: float) -> float:
    """The sample at `fraction` (nearest rank), in milliseconds."""
    ordered = sorted(samples_ns)
    rank = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[rank] / 1e6


def _timed(
    function: Callable[[Sequence[Variant], MatchRequest], object],
    variants: Sequence[Variant],
    request: MatchRequest,
) -> int:
    start = time.perf_counter_ns()
    function(variants, request)
    return time.perf_counter_ns() - start


class _GcClock:
    """Time spent in the cyclic garbage collector, via gc.callbacks."""

    def __init__(self) -> None:
        self.total_ns = 0
        self._start = 0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter_ns()
        else:
            self.total_ns += time.perf_counter_ns() - self._start


def measure(
    name: str,
    variants: Sequence[Variant],
    requests: Sequence[MatchRequest],
    warmup: int,
    aim_ms: float,
    evidence: EvidenceTable | None = None,
) -> dict[str, Any]:
    """p50/p99 of match() and of the baseline, request by request, interleaved."""

    def matcher(variants: Sequence[Variant], request: MatchRequest) -> object:
        return match(variants, request, evidence)

    for request in requests[:warmup]:
        matcher(variants, request)
        baseline(variants, request)
    matched: list[int] = []
    base: list[int] = []
    gc_in_match = 0
    clock = _GcClock()
    gc.callbacks.append(clock)
    try:
        for request in requests:
            base.append(_timed(baseline, variants, request))
            before = clock.total_ns
            matched.append(_timed(matcher, variants, request))
            gc_in_match += clock.total_ns - before
    finally:
        gc.callbacks.remove(clock)
    match_p50, match_p99 = _percentile(matched, 0.50), _percentile(matched, 0.99)
    base_p50, base_p99 = _percentile(base, 0.50), _percentile(base, 0.99)
    return {
        "catalogue": name,
        "variants": len(variants),
        "requests": len(requests),
        "match_p50_ms": match_p50,
        "match_p99_ms": match_p99,
        "match_mean_ms": statistics.fmean(matched) / 1e6,
        "gc_share": gc_in_match / sum(matched),
        "baseline_p50_ms": base_p50,
        "baseline_p99_ms": base_p99,
        "p50_ratio": match_p50 / base_p50,
        "p99_ratio": match_p99 / base_p99,
        "aim_p99_ms": aim_ms,
        "aim_met": match_p99 < aim_ms,
    }


def _table(rows: Sequence[dict[str, Any]]) -> str:
    header = (
        f"{'catalogue':<10} {'variants':>8} {'requests':>8} "
        f"{'match p50':>10} {'match p99':>10} {'base p50':>9} {'base p99':>9} "
        f"{'x p50':>6} {'x p99':>6} {'gc':>4} {'aim p99':>8}  met"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row['catalogue']:<10} {row['variants']:>8} {row['requests']:>8} "
            f"{row['match_p50_ms']:>7.3f} ms {row['match_p99_ms']:>7.3f} ms "
            f"{row['baseline_p50_ms']:>6.3f} ms {row['baseline_p99_ms']:>6.3f} ms "
            f"{row['p50_ratio']:>6.1f} {row['p99_ratio']:>6.1f} {row['gc_share']:>4.0%} "
            f"{row['aim_p99_ms']:>5.0f} ms  "
            f"{'yes' if row['aim_met'] else 'NO'}"
        )
    return "\n".join(lines)


def _profile(variants: Sequence[Variant], requests: Sequence[MatchRequest]) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for request in requests:
        match(variants, request)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    return out.getvalue()


def _gc_experiment(variants: Sequence[Variant], requests: Sequence[MatchRequest]) -> str:
    """The generated catalogue again, with the garbage collector as is, frozen and off."""
    rows = []
    for setting in ("as is", "gc.freeze()", "gc.disable()"):
        if setting == "gc.freeze()":
            gc.collect()
            gc.freeze()  # the catalogue and everything loaded so far: never traversed again
        elif setting == "gc.disable()":
            gc.disable()
        try:
            figures = measure(setting, variants, requests, 20, AIM_GENERATED_MS)
        finally:
            gc.enable()
            gc.unfreeze()
        rows.append(
            f"  {setting:<13} p50 {figures['match_p50_ms']:8.3f} ms"
            f"   p99 {figures['match_p99_ms']:8.3f} ms   gc {figures['gc_share']:.0%}"
        )
    return "match() on the generated catalogue, by garbage-collector setting:\n" + "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also print a cProfile of match() on the generated catalogue",
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    parser.add_argument(
        "--requests",
        type=int,
        nargs=2,
        default=(2000, 300),
        metavar=("REAL", "GENERATED"),
        help="requests to time on each catalogue (default 2000 300)",
    )
    args = parser.parse_args(argv)

    content = load_content()
    goal_slugs = [goal.slug for goal in content.goals]
    real_count, generated_count = args.requests
    requests = realistic_requests(max(real_count, generated_count), goal_slugs, args.seed)
    generated = generated_catalogue(content.variants, GENERATED_SIZE, args.seed)

    rows = [
        measure("real", content.variants, requests[:real_count], 200, AIM_REAL_MS),
        measure("generated", generated, requests[:generated_count], 20, AIM_GENERATED_MS),
    ]
    # As the server runs it: catalogue.variants.queries freezes the loaded catalogue (gc.freeze), so
    # the cyclic garbage collector does not traverse it on every full collection.
    gc.collect()
    gc.freeze()
    try:
        rows.append(
            measure(
                "served",
                generated,
                requests[:generated_count],
                20,
                AIM_GENERATED_MS,
            )
        )
        # Made after the freeze: the server reads the evidence for each request, so the
        # collector does see it.
        evidence = generated_evidence(generated, args.seed)
        rows.append(
            measure(
                "evidence",
                generated,
                requests[:generated_count],
                20,
                AIM_GENERATED_MS,
                evidence,
            )
        )
    finally:
        gc.unfreeze()
    machine = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "seed": args.seed,
    }
    if args.json:
        print(json.dumps({"machine": machine, "results": rows}, indent=2))
    else:
        print(
            f"Python {machine['python']} on {machine['platform']}, {machine['cpus']} CPUs, "
            f"load {machine['load_average_1min']}, seed {args.seed}"
        )
        print("x = ratio to the baseline (a loop reading the requested goal weights)")
        print("gc = share of match() time spent in the cyclic garbage collector\n")
        print(_table(rows))
    if args.profile:
        out = sys.stderr if args.json else sys.stdout
        print(_profile(generated, requests[:50]), file=out)
        print(_gc_experiment(generated, requests[:generated_count]), file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
