"""Coordinators manage the Werkplaatsen (regions), the themes on their agenda, and mark its
open knowledge questions addressed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.outcomes.models import KnowledgeQuestion
from catalogue.regions.models import RegionRow, ThemeRow
from catalogue.schema import ContentError, Problem, slugify
from server.db import utcnow
from server.i18n import N_
from server.models import User

MAX_NAME = 200
MAX_DESCRIPTION = 5000


def _checked(name: str, description: str) -> tuple[str, str]:
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
    if problems:
        raise ContentError("form", problems)
    return name, description


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


async def add_theme(db: AsyncSession, region: RegionRow, name: str, description: str) -> ThemeRow:
    name, description = _checked(name, description)
    slug = slugify(name)
    _refuse_duplicate_theme(region, name)
    position = max((theme.position for theme in region.themes), default=-1) + 1
    theme = ThemeRow(slug=slug, name=name, description=description, position=position)
    region.themes.append(theme)
    await db.commit()
    return theme


async def update_theme(
    db: AsyncSession, region: RegionRow, theme: ThemeRow, name: str, description: str
) -> None:
    name, description = _checked(name, description)
    _refuse_duplicate_theme(region, name, keep=theme)
    theme.name, theme.description = name, description
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
