"""Simulation benchmark: does the catalogue discover what works?

Run it with `.venv/bin/python bench/discovery.py` (`--json` for machine-readable figures,
`--seeds 1 2 3` for other seeds, `--sessions 400 3000` for other checkpoints). Seeded and
deterministic: the same seeds give the same figures on any machine.

A hidden truth: how well each practice of the real catalogue (`load_content()`) serves each goal
("true attainment", 0..1) is its curated weight (0-3 as 0..1) plus a little noise, with a small
effect of the way of meeting; a few practices are misjudged by their description: it
*underrates* some (they serve every goal they serve a third of the scale better, up to fully)
and *overrates* others (a third worse). Sessions come one at a time, each for a request drawn
from 150 realistic ones (the goal mixes, group sizes, times, ways of meeting and roles of
bench/matching.py); matching ranks the catalogue with the evidence gathered so far, and the
facilitator takes the exploration suggestion 10 % of the time when there is one, and otherwise
the first result 70 % of the time and the second or third 15 % each. The group rates each goal
of the session: the truth where it was held plus noise between sessions (and one session in 50
rated at random, an outlier). Its "true score" is the score matching would give it if it knew
the truth (the same soft factors for size, time and roles).

Three policies run on the same truths, requests and choices of chance, in the same run:
- `curated`: the curated weights alone (no evidence);
- `blending`: evidence as blended until issue 17 (the description worth five sessions, every
  session alike wherever it was held, no exploration): the baseline;
- `model`: the catalogue's model today (catalogue/matching/belief.py, explore.py).

Reported per policy after each checkpoint, summed over the seeds:
- best first: requests (of 150 per seed) whose first result is the truly best practice; near
  best: whose first result is within NEAR (2) true points of it (0.08 on the 1-5 scale: a
  difference no group would notice);
- underrated found: requests whose truly best practice is an underrated one, and how many of
  those rank it first;
- points lost per session: the truly best practice's true score minus the chosen one's, the mean
  over the first and the last fifth of the sessions;
- outlier moves (`outlier_moves`): six consistent sessions of one practice for one goal, then one
  outlier; how many of the rankings the practice is in change their top five because of it;
- the floor: the true points a ranking that knew the truth would still lose a session with these
  facilitators (who take the second or third 30 % of the time); "beyond floor" is what is lost
  on top of it: the part a better ranking can win back.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import statistics
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import matching as matching_bench

from catalogue.evidence.summary import SessionRating, evidence_table
from catalogue.matching.belief import BLENDING, CURATED_ONLY, Evidence, Model
from catalogue.matching.rank import MatchResult, match, soft_factor
from catalogue.matching.request import MatchRequest, validate_request
from catalogue.seed import load_content
from catalogue.variants.schema import Variant
from catalogue.vocabulary import MAX_WEIGHT, MODALITIES

OUTLIERS = True
NEAR = 2.0  # true points: a first result this close to the truly best is as good as it
SEEDS = (1, 2, 3, 4, 5)
CHECKPOINTS = (400, 3000)
REQUESTS = 150
# The truth.
TRUTH_NOISE = 0.07  # attainment: how far the truth lies from the curated weight, typically
MODALITY_EFFECT = 0.04  # attainment: how much a way of meeting helps or hinders, typically
MISJUDGED = 4  # practices the description underrates, and as many it overrates
MISJUDGEMENT = 1 / 3  # how far off: one step of the curated 0-3 scale
# Sessions.
SESSION_NOISE = 0.15  # attainment: the spread between sessions (0.6 rating points)
OUTLIER_CHANCE = 1 / 50  # a session rated at random
REGIONS = tuple(f"regio-{n}" for n in range(10))
# The facilitator's choice.
EXPLORE_CHANCE = 0.10
TOP_CHANCE = 0.70  # of the rest; the second and the third share what is left

# The goal mixes of bench/matching.py (run as a script, bench/ is on the path).
GOAL_SETS = matching_bench.GOAL_SETS
GROUP_SIZES = (4, 6, 8, 10, 12, 15, 20, 25, 40)
MINUTES = (60, 75, 90, 100, 120, 150, 180)
ROLE_SETS: tuple[list[str], ...] = (
    [],
    ["professionals"],
    ["professionals", "beleidsmakers"],
    ["professionals", "bewoners", "ervaringsdeskundigen"],
    ["studenten", "docenten"],
    ["professionals", "onderzoekers"],
)
POLICIES: dict[str, Model] = {"curated": CURATED_ONLY, "blending": BLENDING, "model": Model()}
# The model with one of its parts taken out, for `--ablations`: what each part adds.
ABLATIONS: dict[str, Model] = {
    "no exploration": Model(explore=False),
    "no lift": Model(lift_sessions=0.0),
    "no spread": Model(use_spread=False),
    "no situations": Model(other_modality=1.0, other_size=1.0),
    "no outliers": Model(robust=False),
}


@dataclasses.dataclass(frozen=True)
class World:
    """One seed's hidden truth and its requests."""

    variants: tuple[Variant, ...]
    goals: tuple[str, ...]
    truth: Mapping[tuple[str, str], float]  # (variant, goal) -> true attainment
    modality_effect: Mapping[tuple[str, str], float]  # (variant, modality) -> shift
    underrated: frozenset[str]
    overrated: frozenset[str]
    requests: tuple[MatchRequest, ...]
    best: tuple[str, ...]  # per request: the truly best variant's slug
    best_score: tuple[float, ...]
    # Per request: the true points a ranking that knew the truth would still lose on average,
    # with these facilitators (who take the second or third now and then).
    floor: tuple[float, ...]
    # Per request: whether its truly best practice is one the description underrates, and the
    # curated ranking does not put it first: what the catalogue has to discover.
    hidden: tuple[bool, ...]

    def attainment(self, variant: str, goal: str, modality: str) -> float:
        true = self.truth[(variant, goal)] + self.modality_effect[(variant, modality)]
        return min(1.0, max(0.0, true))

    def true_score(self, variant: Variant, request: MatchRequest) -> float:
        fit = sum(
            weight * self.attainment(variant.slug, goal, request.modality)
            for goal, weight in request.goals.items()
        )
        return 100 * fit * soft_factor(variant, request)


def make_world(seed: int) -> World:
    content = load_content()
    rng = random.Random(seed)  # noqa: S311  (a reproducible world, not a secret)
    variants = tuple(content.variants)
    goals = tuple(goal.slug for goal in content.goals)
    slugs = [v.slug for v in variants]
    misjudged = rng.sample(slugs, 2 * MISJUDGED)
    underrated, overrated = frozenset(misjudged[:MISJUDGED]), frozenset(misjudged[MISJUDGED:])
    truth: dict[tuple[str, str], float] = {}
    for variant in variants:
        for goal in goals:
            weight = variant.goals.get(goal, 0)
            true = weight / MAX_WEIGHT + rng.gauss(0, TRUTH_NOISE)
            if variant.slug in underrated and 0 < weight < MAX_WEIGHT:
                true += MISJUDGEMENT
            if variant.slug in overrated and weight > 1:
                true -= MISJUDGEMENT
            truth[(variant.slug, goal)] = min(1.0, max(0.0, true))
    effect = {(v.slug, m): rng.gauss(0, MODALITY_EFFECT) for v in variants for m in MODALITIES}
    requests: list[MatchRequest] = []
    best: list[str] = []
    best_score: list[float] = []
    floor: list[float] = []
    hidden: list[bool] = []
    world = World(variants, goals, truth, effect, underrated, overrated, (), (), (), (), ())
    while len(requests) < REQUESTS:
        body = {
            "goals": rng.choice(GOAL_SETS),
            "group_size": rng.choice(GROUP_SIZES),
            "minutes": rng.choice(MINUTES),
            "modality": rng.choice(list(MODALITIES)),
            "roles": rng.choice(ROLE_SETS),
        }
        request = validate_request(body, goals)
        assert isinstance(request, MatchRequest), request
        feasible = match(variants, request, model=CURATED_ONLY).results
        if len(feasible) < 3:  # a request nothing (or one thing) fits teaches nothing
            continue
        scored = sorted(
            ((world.true_score(r.variant, request), r.variant.slug) for r in feasible),
            reverse=True,
        )
        top_score, top = scored[0]
        requests.append(request)
        best.append(top)
        best_score.append(top_score)
        other = (1 - TOP_CHANCE) / 2
        floor.append(other * (top_score - scored[1][0]) + other * (top_score - scored[2][0]))
        hidden.append(top in underrated and feasible[0].variant.slug != top)
    return dataclasses.replace(
        world,
        requests=tuple(requests),
        best=tuple(best),
        best_score=tuple(best_score),
        floor=tuple(floor),
        hidden=tuple(hidden),
    )


def choose(result: MatchResult, rng: random.Random, model: Model) -> Variant:
    """The facilitator's choice among the results."""
    explore_roll, rank_roll = rng.random(), rng.random()
    suggested = result.suggestion
    if suggested is not None and explore_roll < EXPLORE_CHANCE:
        return suggested.variant
    if rank_roll < TOP_CHANCE:
        index = 0
    elif rank_roll < TOP_CHANCE + (1 - TOP_CHANCE) / 2:
        index = 1
    else:
        index = 2
    return result.results[min(index, len(result.results) - 1)].variant


def held_session(
    world: World, variant: Variant, request: MatchRequest, rng: random.Random
) -> list[SessionRating]:
    """The group's ratings of each goal of the session, one row per goal."""
    region = rng.choice(REGIONS)
    raters = rng.randint(3, 12)
    outlier = rng.random() < OUTLIER_CHANCE
    rows = []
    for goal in request.goals:
        if outlier:
            mean = rng.uniform(1, 5)
        else:
            attained = world.attainment(variant.slug, goal, request.modality)
            attained = min(1.0, max(0.0, attained + rng.gauss(0, SESSION_NOISE)))
            mean = 1 + 4 * attained
        rows.append(
            SessionRating(
                variant.slug,
                goal,
                region,
                raters,
                round(mean, 2),
                request.modality,
                request.group_size,
            )
        )
    return rows


class Ledger:
    """The sessions' ratings so far and the evidence table made from them, renewed per key."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], list[SessionRating]] = {}
        self.table: dict[tuple[str, str], Evidence] = {}

    def add(self, rows: Sequence[SessionRating]) -> None:
        for row in rows:
            key = (row.variant, row.goal)
            self.rows.setdefault(key, []).append(row)
            self.table.update(evidence_table(self.rows[key]))


def evaluate(
    world: World, table: Mapping[tuple[str, str], Evidence], model: Model
) -> dict[str, int]:
    best_first = near_first = underrated_cases = underrated_found = 0
    for index, request in enumerate(world.requests):
        best, hidden = world.best[index], world.hidden[index]
        top = match(world.variants, request, table, model).results[0].variant
        first = top.slug
        best_first += first == best
        near_first += world.true_score(top, request) >= world.best_score[index] - NEAR
        if hidden:
            underrated_cases += 1
            underrated_found += first == best
    return {
        "best_first": best_first,
        "near_first": near_first,
        "underrated_cases": underrated_cases,
        "underrated_found": underrated_found,
    }


def outlier_moves(world: World, model: Model, seed: int) -> tuple[int, int]:
    """Six consistent sessions of one practice for one goal, then one outlier: how many of the
    requests the practice is ranked for change their top five because of the outlier.

    For every practice x goal that the requests ask for, on the evidence of those six sessions
    alone (rated around the truth, held in the request's situations); the outlier is rated 1
    when the truth is 3 or better, else 5. Returns (rankings changed, rankings compared)."""
    rng = random.Random(seed)  # noqa: S311
    changed = compared = 0
    pairs = sorted({(v.slug, g) for r in world.requests for v in world.variants for g in r.goals})
    by_slug = {v.slug: v for v in world.variants}
    for slug, goal in pairs[::7]:  # a seventh of them: the figure is the same, the run shorter
        asked = [r for r in world.requests if goal in r.goals]
        consistent = []
        for index in range(6):
            request = asked[index % len(asked)]
            true = world.attainment(slug, goal, request.modality)
            mean = 1 + 4 * min(1.0, max(0.0, true + rng.gauss(0, 0.05)))
            consistent.append(
                SessionRating(
                    slug, goal, REGIONS[index % 3], 6, mean, request.modality, request.group_size
                )
            )
        true = world.attainment(slug, goal, asked[0].modality)
        outlier = SessionRating(
            slug, goal, REGIONS[4], 6, 1.0 if true >= 0.5 else 5.0, *consistent[0][5:]
        )
        before = evidence_table(consistent)
        after = evidence_table([*consistent, outlier])
        for request in asked:
            ranked_before = match(world.variants, request, before, model).results
            if by_slug[slug] not in [r.variant for r in ranked_before]:
                continue
            ranked_after = match(world.variants, request, after, model).results
            compared += 1
            changed += [r.variant.slug for r in ranked_before[:5]] != [
                r.variant.slug for r in ranked_after[:5]
            ]
    return changed, compared


def simulate(world: World, model: Model, seed: int, checkpoints: Sequence[int]) -> dict[str, Any]:
    rng = random.Random(seed * 7919)  # noqa: S311  (the same chances for every policy)
    ledger = Ledger()
    losses: list[float] = []
    excess: list[float] = []
    marks: dict[int, dict[str, int]] = {}
    explored = 0
    for session in range(1, max(checkpoints) + 1):
        index = rng.randrange(len(world.requests))
        request = world.requests[index]
        result = match(world.variants, request, ledger.table, model)
        chosen = choose(result, rng, model)
        explored += result.suggestion is not None and chosen is result.suggestion.variant
        losses.append(world.best_score[index] - world.true_score(chosen, request))
        excess.append(losses[-1] - world.floor[index])
        ledger.add(held_session(world, chosen, request, rng))
        if session in checkpoints:
            fifth = max(1, session // 5)
            marks[session] = evaluate(world, ledger.table, model) | {
                "lost_first_fifth": round(statistics.fmean(losses[:fifth]), 3),
                "lost_last_fifth": round(statistics.fmean(losses[session - fifth : session]), 3),
                "excess_first_fifth": round(statistics.fmean(excess[:fifth]), 3),
                "excess_last_fifth": round(statistics.fmean(excess[session - fifth : session]), 3),
            }
    moved, compared = outlier_moves(world, model, seed) if OUTLIERS else (0, 0)
    return {
        "checkpoints": marks,
        "explored": explored,
        "outlier_moved": moved,
        "outlier_compared": compared,
    }


def run(seeds: Sequence[int], checkpoints: Sequence[int]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for seed in seeds:
        world = make_world(seed)
        curated = evaluate(world, {}, CURATED_ONLY)
        figures.setdefault("curated_alone", []).append(curated)
        figures.setdefault("floor", []).append(world.floor)
        for name, model in POLICIES.items():
            if name == "curated":
                continue
            figures.setdefault(name, []).append(simulate(world, model, seed, checkpoints))
    return figures


def _total(rows: Sequence[Mapping[str, Any]], key: str) -> float:
    return sum(row[key] for row in rows)


def report(figures: Mapping[str, Any], seeds: Sequence[int], checkpoints: Sequence[int]) -> str:
    requests = REQUESTS * len(seeds)
    curated = figures["curated_alone"]
    lines = [
        f"{len(seeds)} seeds ({', '.join(map(str, seeds))}), {REQUESTS} requests each: "
        f"{requests} requests in all",
        "",
        f"{'policy':<10} {'after':>6} {'best first':>15} {'near best':>15} "
        f"{'underrated found':>17} "
        f"{'lost: first fifth':>18} {'last fifth':>11} {'beyond floor: first':>20} {'last':>6}",
        f"{'curated':<10} {'-':>6} {_count(_total(curated, 'best_first'), requests):>15} "
        f"{_count(_total(curated, 'near_first'), requests):>15} "
        f"{_count(_total(curated, 'underrated_found'), _total(curated, 'underrated_cases')):>17}",
    ]
    for name in ("blending", "model"):
        runs = figures[name]
        for mark in checkpoints:
            rows = [r["checkpoints"][mark] for r in runs]
            lines.append(
                f"{name:<10} {mark:>6} {_count(_total(rows, 'best_first'), requests):>15} "
                f"{_count(_total(rows, 'near_first'), requests):>15} "
                f"{_count(_total(rows, 'underrated_found'), _total(rows, 'underrated_cases')):>17} "
                f"{statistics.fmean(r['lost_first_fifth'] for r in rows):>18.2f} "
                f"{statistics.fmean(r['lost_last_fifth'] for r in rows):>11.2f} "
                f"{statistics.fmean(r['excess_first_fifth'] for r in rows):>20.2f} "
                f"{statistics.fmean(r['excess_last_fifth'] for r in rows):>6.2f}"
            )
    floors = [statistics.fmean(world_floor) for world_floor in figures["floor"]]
    lines.append(f"floor: {statistics.fmean(floors):.2f} points a session")
    lines.append("")
    for name in ("blending", "model"):
        runs = figures[name]
        moved = sum(r["outlier_moved"] for r in runs)
        compared = sum(r["outlier_compared"] for r in runs)
        explored = sum(r["explored"] for r in runs)
        lines.append(
            f"{name:<10} one outlier after six consistent sessions changed {moved} of "
            f"{compared} top-five rankings; exploration suggestions taken: {explored}"
        )
    return "\n".join(lines)


def _count(part: float, whole: float) -> str:
    share = f"{100 * part / whole:.0f} %" if whole else "-"
    return f"{part:.0f}/{whole:.0f} {share}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--sessions", type=int, nargs="+", default=list(CHECKPOINTS))
    parser.add_argument(
        "--ablations",
        action="store_true",
        help="also run the model without each of its parts, to the first checkpoint",
    )
    args = parser.parse_args(argv)
    checkpoints = sorted(set(args.sessions))
    figures = run(args.seeds, checkpoints)
    if args.ablations:
        figures["ablations"] = ablations(args.seeds, checkpoints[0])
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(report(figures, args.seeds, checkpoints))
        if args.ablations:
            print()
            print(ablation_report(figures["ablations"], args.seeds, checkpoints[0]))
    return 0


def ablations(seeds: Sequence[int], sessions: int) -> dict[str, list[dict[str, Any]]]:
    worlds = [make_world(seed) for seed in seeds]
    found: dict[str, list[dict[str, Any]]] = {}
    for name, model in {"model": Model(), **ABLATIONS}.items():
        found[name] = [
            simulate(world, model, seed, [sessions])["checkpoints"][sessions]
            for world, seed in zip(worlds, seeds, strict=True)
        ]
    return found


def ablation_report(found: Mapping[str, Any], seeds: Sequence[int], sessions: int) -> str:
    requests = REQUESTS * len(seeds)
    lines = [
        f"after {sessions} sessions: the model without one of its parts",
        f"{'model':<16} {'best first':>15} {'near best':>15} {'underrated found':>17} "
        f"{'beyond floor, last fifth':>25}",
    ]
    for name, rows in found.items():
        lines.append(
            f"{name:<16} {_count(_total(rows, 'best_first'), requests):>15} "
            f"{_count(_total(rows, 'near_first'), requests):>15} "
            f"{_count(_total(rows, 'underrated_found'), _total(rows, 'underrated_cases')):>17} "
            f"{statistics.fmean(r['excess_last_fifth'] for r in rows):>25.2f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
