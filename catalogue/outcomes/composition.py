"""An outcome as the facilitator composes it, and as it is read back: pure, no I/O.

`check_composition` lists every problem with a composition (catalogue/outcomes/actions.py
refuses to store one with problems).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from catalogue.outcomes.gate import Gated, stored
from catalogue.outcomes.models import (
    SHARING_LEVELS,
    KnowledgeQuestion,
    OutcomeRating,
    OutcomeRow,
)
from catalogue.outcomes.sharing import allowed_levels
from catalogue.schema import Problem
from server.i18n import N_

MAX_TEXT = 5000


MAX_PRODUCTS = 20


MAX_PRODUCT_TITLE = 120


MAX_PRODUCT_TEXT = 2000


MAX_URL = 500


MAX_QUESTIONS = 20


MAX_QUESTION = 500


@dataclass(frozen=True)
class Product:
    """A beroepsproduct: a title, what it is, and optionally a link (https) to it."""

    title: str
    text: str = ""
    url: str | None = None


@dataclass(frozen=True)
class Composition:
    """What the facilitator writes: the outcome's texts and its sharing level."""

    summary: str = ""
    insights: str = ""
    actions: str = ""
    products: tuple[Product, ...] = ()
    questions: tuple[str, ...] = ()  # open knowledge questions, for the region's agenda
    sharing: str = "group"


@dataclass(frozen=True)
class SessionFacts:
    """What the session says about itself, copied into its outcome."""

    session_id: int | None
    title: str
    held_on: dt.datetime
    variant_slug: str | None = None
    region_slug: str | None = None
    theme_slug: str | None = None
    goals: tuple[str, ...] = ()
    # Where it was held (catalogue/evidence keeps evidence per situation): "online", "hybrid" or
    # "on-site", and how many took part; None when not known.
    modality: str | None = None
    group_size: int | None = None


@dataclass
class Outcome:
    """An outcome with its goal ratings and knowledge questions."""

    row: OutcomeRow
    ratings: list[OutcomeRating] = field(default_factory=list)
    questions: list[KnowledgeQuestion] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        """The outcome as catalogue.outcomes.sharing.shared_version reads it."""
        row = self.row
        return {
            "title": row.title,
            "variant": row.variant_slug,
            "region": row.region_slug,
            "theme": row.theme_slug,
            "goals": list(row.goals or ()),
            "held_on": row.held_on.date().isoformat(),
            "modality": row.modality,
            "group_size": row.group_size,
            "summary": row.summary,
            "insights": row.insights,
            "actions": row.actions,
            "products": list(row.products or ()),
            "questions": [q.text for q in self.questions],
            "captured": dict(row.captured or {}),
            "consents": dict(row.consents or {}),
            "ratings": {r.goal_slug: {"raters": r.raters, "mean": r.mean} for r in self.ratings},
        }

    def shared(self, consents: Mapping[str, str] | None = None) -> Gated | None:
        """The outcome's gated version (catalogue/outcomes/gate.py), the only one shown beyond its
        group, with its facts, ratings and consents as they are now (`consents` narrowed by the
        caller, see catalogue.outcomes.sharing); None when it was never gated."""
        document = self.document()
        current = {key: document[key] for key in _CURRENT}
        if consents is not None:
            current["consents"] = dict(consents)
        return stored(self.row.gated, **current)


# What a gated version takes from the outcome as it is now, not as it was when gated.
_CURRENT = (
    "variant",
    "region",
    "theme",
    "goals",
    "held_on",
    "modality",
    "group_size",
    "consents",
    "ratings",
)


def check_composition(
    composition: Composition, consents: Mapping[str, str], *, has_region: bool = True
) -> list[Problem]:
    """What is wrong with a composition (each problem names its form field). `has_region`:
    whether the session belongs to a region (a Werkplaats), whose members read "region"."""
    problems: list[Problem] = []
    for name in ("summary", "insights", "actions"):
        if len(getattr(composition, name)) > MAX_TEXT:
            problems.append(
                Problem(name, N_("This text can be at most %(max)s characters."), {"max": MAX_TEXT})
            )
    if len(composition.products) > MAX_PRODUCTS:
        problems.append(Problem("products", N_("At most %(max)s products."), {"max": MAX_PRODUCTS}))
    for number, product in enumerate(composition.products[:MAX_PRODUCTS], start=1):
        where = f"product-{number}"
        if not product.title.strip():
            problems.append(Problem(f"{where}-title", N_("Give this product a title.")))
        elif len(product.title) > MAX_PRODUCT_TITLE:
            problems.append(
                Problem(
                    f"{where}-title",
                    N_("A title can be at most %(max)s characters."),
                    {"max": MAX_PRODUCT_TITLE},
                )
            )
        if len(product.text) > MAX_PRODUCT_TEXT:
            problems.append(
                Problem(
                    f"{where}-text",
                    N_("This text can be at most %(max)s characters."),
                    {"max": MAX_PRODUCT_TEXT},
                )
            )
        if product.url is not None and not _good_url(product.url):
            problems.append(
                Problem(
                    f"{where}-url",
                    N_(
                        "A link must be a whole web address starting with https:// "
                        "(for example https://example.org/guide), at most %(max)s characters."
                    ),
                    {"max": MAX_URL},
                )
            )
    if len(composition.questions) > MAX_QUESTIONS:
        problems.append(
            Problem(
                "questions",
                N_("At most %(max)s knowledge questions, one per line."),
                {"max": MAX_QUESTIONS},
            )
        )
    elif any(len(q) > MAX_QUESTION for q in composition.questions):
        problems.append(
            Problem(
                "questions",
                N_("A knowledge question can be at most %(max)s characters."),
                {"max": MAX_QUESTION},
            )
        )
    if composition.sharing not in SHARING_LEVELS:
        problems.append(Problem("sharing", N_("Choose group, region, national or open.")))
    elif composition.sharing == "region" and not has_region:
        problems.append(
            Problem(
                "sharing",
                N_(
                    "This session belongs to no Werkplaats (region), so nobody would read it at "
                    "that level. Choose the group, national or open."
                ),
            )
        )
    elif composition.sharing not in allowed_levels(consents):
        problems.append(
            Problem(
                "sharing",
                N_(
                    "Nobody consented to sharing this widely. Choose a narrower level: the "
                    "participants' consent decides how far an outcome may go."
                ),
            )
        )
    return problems


def _good_url(url: str) -> bool:
    if len(url) > MAX_URL or any(ch.isspace() for ch in url):
        return False
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname) and "." in (parts.hostname or "")
