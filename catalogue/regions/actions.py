"""Coordinators manage the Werkplaatsen (regions), the themes on their agenda with the national
themes each belongs to, and mark its open knowledge questions addressed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.outcomes.models import KnowledgeQuestion
from catalogue.regions.models import NationalThemeRow, RegionRow, ThemeRow
from catalogue.schema import ContentError, Problem, slugify
from server.db import utcnow
from server.i18n import N_
from server.models import User

MAX_NAME = 200
MAX_DESCRIPTION = 5000


def _checked(name: str, description: str, more: Sequence[Problem] = ()) -> tuple[str, str]:
    """The name and description tidied, or ContentError with their problems and `more`."""
    problems = []
    name = " ".join(name.split())
    description = description.strip()
    if not name:
        problems.append(Problem("name", N_("is empty; write something here")))
    elif len(name) > MAX_NAME:
        problems.append(
            Problem("name", N_("is too long: at most %(max)s characters"), {"max": MAX_NAME})
        )
    elif not slugify(name):
        problems.append(Problem("name", N_("needs at least one letter or digit")))
    if len(description) > MAX_DESCRIPTION:
        problems.append(
            Problem(
                "description",
                N_("is too long: at most %(max)s characters"),
                {"max": MAX_DESCRIPTION},
            )
        )
    problems.extend(more)
    if problems:
        raise ContentError("form", problems)
    return name, description


async def _national(
    db: AsyncSession, chosen: Sequence[str]
) -> tuple[list[NationalThemeRow], list[Problem]]:
    """The national themes ticked, in their file's order, and what is wrong with the choice:
    none (a regional theme belongs to at least one, as in regions.toml) or one that is not a
    national theme (only a form someone changed sends that)."""
    known = {row.slug: row for row in await db.scalars(select(NationalThemeRow))}
    chosen = [slug for slug in chosen if slug.strip()]
    problems = []
    if not chosen:
        problems.append(Problem("national", N_("tick at least one national theme")))
    elif any(slug not in known for slug in chosen):
        problems.append(Problem("national", N_("choose only national themes from the list")))
    rows = sorted({known[slug] for slug in chosen if slug in known}, key=lambda r: r.position)
    return rows, problems


def _same(a: str, b: str) -> bool:
    """Whether two names are the same for people: case, accents and punctuation aside."""
    return slugify(a) == slugify(b)


async def _refuse_duplicate_region(
    db: AsyncSession, name: str, slug: str, keep: RegionRow | None = None
) -> None:
    for other in await db.scalars(select(RegionRow)):
        if other is not keep and (other.slug == slug or _same(other.name, name)):
            raise ContentError(
                "form", [Problem("name", N_("a region with this name already exists"))]
            )


def _refuse_duplicate_theme(region: RegionRow, name: str, keep: ThemeRow | None = None) -> None:
    for other in region.themes:
        if other is not keep and (other.slug == slugify(name) or _same(other.name, name)):
            raise ContentError("form", [Problem("name", N_("this region already has this theme"))])


async def create_region(db: AsyncSession, name: str, description: str) -> RegionRow:
    name, description = _checked(name, description)
    slug = slugify(name)
    await _refuse_duplicate_region(db, name, slug)
    region = RegionRow(slug=slug, name=name, description=description, themes=[])
    db.add(region)
    await db.commit()
    return region


async def update_region(db: AsyncSession, region: RegionRow, name: str, description: str) -> None:
    name, description = _checked(name, description)
    await _refuse_duplicate_region(db, name, slugify(name), keep=region)
    region.name, region.description = name, description
    await db.commit()


async def add_theme(
    db: AsyncSession, region: RegionRow, name: str, description: str, national: Sequence[str]
) -> ThemeRow:
    """A new theme at the end of the region's agenda, under the national themes `national`
    (slugs, at least one)."""
    rows, problems = await _national(db, national)
    name, description = _checked(name, description, problems)
    slug = slugify(name)
    _refuse_duplicate_theme(region, name)
    position = max((theme.position for theme in region.themes), default=-1) + 1
    theme = ThemeRow(
        slug=slug, name=name, description=description, position=position, national=rows
    )
    region.themes.append(theme)
    await db.commit()
    return theme


async def update_theme(
    db: AsyncSession,
    region: RegionRow,
    theme: ThemeRow,
    name: str,
    description: str,
    national: Sequence[str],
) -> None:
    """A theme's name, description and national themes (at least one: a theme made in the
    browser before they could be chosen has none until it is saved this way)."""
    rows, problems = await _national(db, national)
    name, description = _checked(name, description, problems)
    _refuse_duplicate_theme(region, name, keep=theme)
    theme.name, theme.description, theme.national = name, description, rows
    await db.commit()


async def remove_theme(db: AsyncSession, region: RegionRow, theme: ThemeRow) -> None:
    region.themes.remove(theme)
    await db.commit()


async def mark_addressed(db: AsyncSession, question: KnowledgeQuestion, user: User) -> None:
    """A coordinator has taken the question up; marking it again keeps the first date."""
    if question.addressed_at is None:
        question.addressed_at = utcnow()
        question.addressed_by = user.id
    await db.commit()


async def reopen(db: AsyncSession, question: KnowledgeQuestion) -> None:
    """Back on the open agenda (an undo)."""
    question.addressed_at = None
    question.addressed_by = None
    await db.commit()
