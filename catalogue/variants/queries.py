"""Reading the catalogue: goals, current variants (cached per version), history."""

from __future__ import annotations

import datetime as dt
import gc
import logging
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.schema import ContentError
from catalogue.variants.models import GoalRow, VariantRow, VariantVersion
from catalogue.variants.schema import Goal, Variant, parse_variant

log = logging.getLogger("werkplaats.catalogue")


@dataclass(frozen=True)
class CurrentVariant:
    """A variant as it is now, with who saved this version and when."""

    variant: Variant
    version: int
    source: str
    author_name: str
    saved_at: dt.datetime


@dataclass(frozen=True)
class Catalogue:
    goals: tuple[Goal, ...]
    variants: tuple[CurrentVariant, ...]
    by_slug: dict[str, CurrentVariant] = field(default_factory=dict)

    @property
    def goal_slugs(self) -> list[str]:
        return [goal.slug for goal in self.goals]

    def goal_names(self, language: str) -> dict[str, str]:
        return {g.slug: (g.name_en if language == "en" else g.name) for g in self.goals}


@dataclass
class CatalogueCache:
    """The parsed current variants, reused until a new version is saved (by any process)."""

    stamp: tuple[int | None, int] | None = None
    variants: tuple[CurrentVariant, ...] = ()


async def load_goals(db: AsyncSession) -> tuple[Goal, ...]:
    rows = await db.scalars(select(GoalRow).order_by(GoalRow.position))
    return tuple(Goal(r.slug, r.name, r.name_en, r.description, r.description_en) for r in rows)


async def load_catalogue(db: AsyncSession, cache: CatalogueCache) -> Catalogue:
    """Goals and current variants; variants are parsed again only when a version was added."""
    goals = await load_goals(db)
    stamp_row = (
        await db.execute(select(func.max(VariantVersion.id), func.count(VariantVersion.id)))
    ).one()
    stamp = (stamp_row[0], int(stamp_row[1]))
    if stamp != cache.stamp:
        cache.variants = await _current_variants(db, [g.slug for g in goals])
        cache.stamp = stamp
        # The catalogue lives as long as the process: keep the cyclic garbage collector from
        # scanning it again and again (CPython's advice for long-lived data; see gc.freeze).
        gc.freeze()
    variants = cache.variants
    return Catalogue(goals, variants, {cv.variant.slug: cv for cv in variants})


async def _current_variants(db: AsyncSession, goal_slugs: list[str]) -> tuple[CurrentVariant, ...]:
    newest = (
        select(VariantVersion.variant_id, func.max(VariantVersion.number).label("number"))
        .group_by(VariantVersion.variant_id)
        .subquery()
    )
    rows = await db.execute(
        select(VariantVersion).join(
            newest,
            (newest.c.variant_id == VariantVersion.variant_id)
            & (newest.c.number == VariantVersion.number),
        )
    )
    current = []
    for version in rows.scalars():
        try:
            variant = parse_variant(version.document, goal_slugs, f"version {version.id}")
        except ContentError as error:
            # A stored version that no longer validates (say, a goal was removed) is left out
            # of the live catalogue and reported, rather than breaking every page.
            log.error("variant version is no longer valid: %s", error)
            continue
        current.append(
            CurrentVariant(
                variant, version.number, version.source, version.author_name, version.created_at
            )
        )
    return tuple(sorted(current, key=lambda cv: cv.variant.title.lower()))


async def variant_versions(db: AsyncSession, slug: str) -> list[VariantVersion]:
    """Every version of a variant, newest first (empty if there is no such variant)."""
    rows = await db.scalars(
        select(VariantVersion)
        .join(VariantRow, VariantRow.id == VariantVersion.variant_id)
        .where(VariantRow.slug == slug)
        .order_by(VariantVersion.number.desc())
    )
    return list(rows)


async def current_variant(db: AsyncSession, slug: str) -> Variant | None:
    """The current version of one variant, or None."""
    version = await db.scalar(
        select(VariantVersion)
        .join(VariantRow, VariantRow.id == VariantVersion.variant_id)
        .where(VariantRow.slug == slug)
        .order_by(VariantVersion.number.desc())
        .limit(1)
    )
    if version is None:
        return None
    goal_slugs = [goal.slug for goal in await load_goals(db)]
    return parse_variant(version.document, goal_slugs, f"version {version.id}")
