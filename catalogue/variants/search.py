"""Filtering the catalogue by goal, modality, group size and text (pure)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from catalogue.schema import Problem
from catalogue.variants.schema import Variant
from catalogue.vocabulary import MODALITIES
from server.i18n import N_

STRONG = 2  # a variant "serves" a goal when its weight is at least this
MAX_FILTER_SIZE = 1000


@dataclass(frozen=True)
class Filters:
    text: str = ""
    goal: str | None = None
    modality: str | None = None
    group_size: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.text or self.goal or self.modality or self.group_size)


def parse_filters(
    params: Mapping[str, str], goal_slugs: Sequence[str]
) -> tuple[Filters, list[Problem]]:
    """Filters from query parameters (q, goal, modality, group_size); wrong ones are named."""
    problems: list[Problem] = []
    goal = params.get("goal") or None
    if goal is not None and goal not in goal_slugs:
        problems.append(
            Problem(
                "goal",
                N_("unknown goal '%(value)s'; known goals: %(allowed)s"),
                {"value": goal[:60], "allowed": ", ".join(goal_slugs)},
            )
        )
        goal = None
    modality = params.get("modality") or None
    if modality is not None and modality not in MODALITIES:
        problems.append(
            Problem(
                "modality",
                N_("unknown modality '%(value)s'; allowed: %(allowed)s"),
                {"value": modality[:60], "allowed": ", ".join(MODALITIES)},
            )
        )
        modality = None
    size_text = (params.get("group_size") or "").strip()
    size = (
        int(size_text) if size_text.isdigit() and 1 <= int(size_text) <= MAX_FILTER_SIZE else None
    )
    if size_text and size is None:
        problems.append(
            Problem(
                "group_size",
                N_("must be a whole number from %(low)s to %(high)s, not %(value)s"),
                {"low": 1, "high": MAX_FILTER_SIZE, "value": size_text[:20]},
            )
        )
    text = (params.get("q") or "")[:200]
    return Filters(text=text, goal=goal, modality=modality, group_size=size), problems


def folded(text: str) -> str:
    """Lowercase without accents, so 'cafe' finds 'café' and 'Casuïstiek' finds 'casuistiek'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def searchable(variant: Variant) -> str:
    parts = [
        variant.slug,
        variant.title,
        variant.title_en,
        variant.summary,
        variant.summary_en,
        variant.description,
        *variant.effective_elements,
        *(p.name for p in variant.phases),
    ]
    return folded(" ".join(parts))


def filter_variants(variants: Sequence[Variant], filters: Filters) -> list[Variant]:
    words = folded(filters.text).split()
    found = []
    for variant in variants:
        if filters.goal and variant.goals.get(filters.goal, 0) < STRONG:
            continue
        if filters.modality and filters.modality not in variant.modalities:
            continue
        size = filters.group_size
        if size is not None and not variant.group_min <= size <= variant.group_max:
            continue
        if words:
            haystack = searchable(variant)
            if not all(word in haystack for word in words):
                continue
        found.append(variant)
    return found
