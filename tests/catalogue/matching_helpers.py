"""Helpers for the matching tests: the real catalogue, requests, hand-made variants."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from catalogue.matching.rank import MatchResult, Ranked, match
from catalogue.matching.reasons import Reason, reason_text
from catalogue.matching.request import MatchRequest, validate_request
from catalogue.seed import load_content
from catalogue.variants.schema import Phase, Variant

CONTENT = load_content()
VARIANTS = CONTENT.variants
GOAL_SLUGS = [goal.slug for goal in CONTENT.goals]
GOAL_NAMES = {goal.slug: goal.name_en for goal in CONTENT.goals}


def ask(**body: Any) -> MatchRequest:
    """A request as a client sends it, through the one validation there is."""
    request = validate_request(body, GOAL_SLUGS)
    assert isinstance(request, MatchRequest), request
    return request


def texts(reasons: Sequence[Reason]) -> list[str]:
    return [reason_text(reason, str, GOAL_NAMES) for reason in reasons]


def slugs(result: MatchResult, top: int | None = None) -> list[str]:
    return [ranked.variant.slug for ranked in result.results[:top]]


def ranked(result: MatchResult, slug: str) -> Ranked:
    found = [r for r in result.results if r.variant.slug == slug]
    assert found, f"{slug} is not ranked; excluded: {excluded_reasons(result)}"
    return found[0]


def excluded_reasons(result: MatchResult) -> dict[str, list[str]]:
    return {e.variant.slug: texts(e.reasons) for e in result.excluded}


def variant(
    slug: str = "proef",
    *,
    goals: Mapping[str, int] | None = None,
    group: tuple[int, int, int] = (4, 8, 12),
    minutes: tuple[int, int] = (60, 90),
    modalities: tuple[str, ...] = ("on-site", "online", "hybrid"),
    roles: tuple[str, ...] = ("professionals",),
) -> Variant:
    """A small hand-made variant; only what matching reads is meaningful."""
    weights = dict.fromkeys(GOAL_SLUGS, 0) | dict(goals or {"reflecteren": 3})
    phase = Phase("Stap", "Doel", minutes[1] // 2, "round", "Begeleider", "Deelnemers")
    harvest = dataclasses.replace(phase, name="Oogst", tool="harvest")
    return Variant(
        slug=slug,
        title=slug.capitalize(),
        title_en=slug.capitalize(),
        summary="Samenvatting.",
        summary_en="Summary.",
        description="Beschrijving.",
        facilitation="basis",
        preparation="Voorbereiding.",
        distance="Op afstand.",
        modalities=modalities,
        roles=roles,
        effective_elements=("Eén.", "Twee."),
        goals=weights,
        group_min=group[0],
        group_ideal=group[1],
        group_max=group[2],
        minutes_min=minutes[0],
        minutes_typical=minutes[1],
        phases=(phase, harvest),
    )


def scored_alone(made: Variant, **body: Any) -> Ranked:
    request = {"goals": ["reflecteren"], "group_size": 8, "minutes": 90, "modality": "online"}
    result = match([made], ask(**(request | body)))
    assert len(result.results) == 1, excluded_reasons(result)
    return result.results[0]
