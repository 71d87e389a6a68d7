"""The content files and seeding: `werkplaats seed` loads goals, national themes, regions and
variants from catalogue/content/ into the database.

`load_content` reads the files and never returns a partial catalogue: one problem anywhere and
nothing is returned. `seed` loads validated content in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalogue.regions.models import NationalThemeRow, RegionRow, ThemeRow
from catalogue.regions.schema import (
    NationalTheme,
    Region,
    Theme,
    parse_national_themes,
    parse_regions,
)
from catalogue.schema import ContentError, ContentErrors, read_toml
from catalogue.variants.actions import seed_variant
from catalogue.variants.models import GoalRow
from catalogue.variants.schema import Goal, Variant, parse_goals, parse_variant
from server.errors import SeedError

T = TypeVar("T")

CONTENT_DIR = Path(__file__).parent / "content"

NATIONAL_THEMES_FILE = "national-themes.toml"


@dataclass(frozen=True)
class Content:
    goals: tuple[Goal, ...]
    variants: tuple[Variant, ...]
    regions: tuple[Region, ...]
    national_themes: tuple[NationalTheme, ...] = ()


def load_content(root: Path = CONTENT_DIR) -> Content:
    """Every goal, variant, region and national theme in the content directory, or
    ContentErrors for all faults."""
    errors: list[ContentError] = []

    def attempt(parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except ContentError as error:
            errors.append(error)
            return None

    goals = attempt(lambda: parse_goals(read_toml(root / "goals.toml", root), "goals.toml"))
    # With a broken goals file the variants' goal names cannot be checked; that file's own
    # problems are reported instead of blaming every variant for them.
    goal_slugs = [g.slug for g in goals] if goals is not None else None
    national = attempt(
        lambda: parse_national_themes(
            read_toml(root / NATIONAL_THEMES_FILE, root), NATIONAL_THEMES_FILE
        )
    )
    national_slugs = [t.slug for t in national] if national is not None else None
    regions = attempt(
        lambda: parse_regions(
            read_toml(root / "regions.toml", root), "regions.toml", national_slugs
        )
    )
    variants: list[Variant] = []
    for path in sorted((root / "variants").glob("*.toml")):
        source = str(path.relative_to(root))
        variant = attempt(
            lambda path=path, source=source: parse_variant(  # type: ignore[misc]
                read_toml(path, root), goal_slugs, source, expected_slug=path.stem
            )
        )
        if variant is not None:
            variants.append(variant)
    if errors:
        raise ContentErrors(errors)
    assert goals is not None and regions is not None and national is not None
    return Content(goals, tuple(variants), regions, national)


async def seed(db: AsyncSession, content: Content) -> list[str]:
    """Load validated content in one transaction; returns a line per thing done or kept.

    Re-seeding updates what came from the files and never duplicates. A variant whose newest
    version is a coordinator's edit is kept, and the report says so.
    """
    report = [
        *await _seed_goals(db, content),
        *await _seed_national_themes(db, content),
        *await _seed_regions(db, content),
    ]
    for variant in content.variants:
        report.append(await seed_variant(db, variant))
    await db.commit()
    return report


async def _seed_goals(db: AsyncSession, content: Content) -> list[str]:
    return await _seed_described(db, GoalRow, content.goals, "goals")


async def _seed_national_themes(db: AsyncSession, content: Content) -> list[str]:
    return await _seed_described(db, NationalThemeRow, content.national_themes, "national themes")


async def _seed_described(
    db: AsyncSession,
    model: type[GoalRow | NationalThemeRow],
    items: Sequence[Goal | NationalTheme],
    what: str,
) -> list[str]:
    """Add or update the rows of a list of named, described things, in the content's order."""
    rows: Sequence[GoalRow | NationalThemeRow] = list(await db.scalars(select(model)))
    existing = {row.slug: row for row in rows}
    added = updated = 0
    for position, item in enumerate(items):
        row = existing.get(item.slug)
        values = dict(
            position=position,
            name=item.name,
            name_en=item.name_en,
            description=item.description,
            description_en=item.description_en,
        )
        if row is None:
            db.add(model(slug=item.slug, **values))
            added += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            updated += 1
    await db.flush()
    return [f"{what}: {added} added, {updated} updated, {len(items)} in the content"]


async def _seed_regions(db: AsyncSession, content: Content) -> list[str]:
    """Add the regions that are missing, with their themes; coordinators own the rest.

    A region that exists is left as it is, so a theme a coordinator removed stays removed. Its
    themes from the file that belong to no national theme yet (a database from before national
    themes) are given the national themes the file names.
    """
    national = {row.slug: row for row in await db.scalars(select(NationalThemeRow))}
    lines = []
    for region in content.regions:
        row = await db.scalar(select(RegionRow).where(RegionRow.slug == region.slug))
        if row is not None:
            lines.extend(_link_national_themes(row, region.themes, national))
            continue
        themes = [
            ThemeRow(
                slug=t.slug,
                name=t.name,
                description=t.description,
                position=position,
                national=[national[slug] for slug in t.national_themes],
            )
            for position, t in enumerate(region.themes)
        ]
        db.add(
            RegionRow(
                slug=region.slug, name=region.name, description=region.description, themes=themes
            )
        )
        lines.append(f"region {region.slug}: added with {len(region.themes)} themes")
    await db.flush()
    return lines


def _link_national_themes(
    row: RegionRow, themes: Sequence[Theme], national: Mapping[str, NationalThemeRow]
) -> list[str]:
    lines = []
    in_file = {theme.slug: theme for theme in themes}
    for theme_row in row.themes:
        theme = in_file.get(theme_row.slug)
        if theme is None or theme_row.national or not theme.national_themes:
            continue
        theme_row.national = [national[slug] for slug in theme.national_themes]
        lines.append(
            f"region {row.slug}: theme {theme_row.slug} now belongs to"
            f" {', '.join(theme.national_themes)}"
        )
    return lines


async def seed_from_files(
    sessions: async_sessionmaker[AsyncSession], directory: Path | None = None
) -> list[str]:
    """`werkplaats seed` for the catalogue: validate every file, then load all or nothing."""
    try:
        content = load_content(directory or CONTENT_DIR)
    except (ContentError, ContentErrors) as error:
        raise SeedError(str(error)) from None
    async with sessions() as db:
        return await seed(db, content)
