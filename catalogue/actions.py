"""Writing the catalogue: seeding from the content files, coordinators' edits, regions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalogue.content import (
    CONTENT_DIR,
    Content,
    ContentError,
    ContentErrors,
    Goal,
    NationalTheme,
    Problem,
    Theme,
    Variant,
    load_content,
    parse_variant,
)
from catalogue.models import (
    GoalRow,
    NationalThemeRow,
    RegionRow,
    ThemeRow,
    VariantRow,
    VariantVersion,
)
from catalogue.queries import load_goals
from server.errors import SeedError
from server.i18n import N_
from server.models import User

SEED_AUTHOR = "catalogus (inhoudsbestanden)"


def content_hash(document: Mapping[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


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
        report.append(await _seed_variant(db, variant))
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


async def _seed_variant(db: AsyncSession, variant: Variant) -> str:
    document = variant.document()
    digest = content_hash(document)
    row = await db.scalar(select(VariantRow).where(VariantRow.slug == variant.slug))
    if row is None:
        row = VariantRow(slug=variant.slug)
        db.add(row)
        await db.flush()
        _add_version(db, row, 1, document, digest, "seed", None, SEED_AUTHOR)
        return f"variant {variant.slug}: added"
    newest = await _newest_version(db, row)
    if newest is not None and newest.content_hash == digest:
        return f"variant {variant.slug}: unchanged"
    if newest is not None and newest.source == "edit":
        last_seed = await db.scalar(
            select(VariantVersion.content_hash)
            .where(VariantVersion.variant_id == row.id, VariantVersion.source == "seed")
            .order_by(VariantVersion.number.desc())
            .limit(1)
        )
        edited = f"version {newest.number} by {newest.author_name}, {newest.created_at:%Y-%m-%d}"
        if last_seed == digest:
            return f"variant {variant.slug}: kept the edit ({edited}); the file has not changed"
        return (
            f"variant {variant.slug}: KEPT the edit ({edited}) although the content file changed;"
            " compare them in the variant's history and edit again if the file should win"
        )
    number = (newest.number if newest else 0) + 1
    _add_version(db, row, number, document, digest, "seed", None, SEED_AUTHOR)
    return f"variant {variant.slug}: updated to version {number}"


async def _newest_version(db: AsyncSession, row: VariantRow) -> VariantVersion | None:
    return await db.scalar(
        select(VariantVersion)
        .where(VariantVersion.variant_id == row.id)
        .order_by(VariantVersion.number.desc())
        .limit(1)
    )


def _add_version(
    db: AsyncSession,
    row: VariantRow,
    number: int,
    document: dict[str, Any],
    digest: str,
    source: str,
    author: User | None,
    author_name: str,
    note: str = "",
) -> None:
    db.add(
        VariantVersion(
            variant_id=row.id,
            number=number,
            document=document,
            content_hash=digest,
            source=source,
            author_id=author.id if author else None,
            author_name=author_name,
            note=note,
        )
    )


class NotFound(LookupError):
    pass


class EditConflict(Exception):
    """Someone saved a newer version after this edit began; saving would overwrite it."""

    def __init__(self, newest: VariantVersion):
        self.newest = newest
        super().__init__(f"version {newest.number} by {newest.author_name} is newer")


async def save_edit(
    db: AsyncSession,
    slug: str,
    data: Mapping[str, Any],
    author: User,
    note: str,
    base_version: int,
) -> int | None:
    """Validate and save a coordinator's edit as a new version; returns its number.

    `base_version` is the version the edit started from. Returns None when nothing changed.
    Raises ContentError (nothing saved) when the edit is not valid, EditConflict when another
    version was saved in the meantime, NotFound when there is no such variant.
    """
    row = await db.scalar(select(VariantRow).where(VariantRow.slug == slug))
    if row is None:
        raise NotFound(slug)
    goal_slugs = [goal.slug for goal in await load_goals(db)]
    variant = parse_variant({**data, "slug": slug}, goal_slugs, slug)
    if len(note) > 500:
        raise ContentError(
            slug, [Problem("note", N_("is too long: at most %(max)s characters"), {"max": 500})]
        )
    document = variant.document()
    digest = content_hash(document)
    newest = await _newest_version(db, row)
    if newest is not None and newest.number != base_version:
        raise EditConflict(newest)
    if newest is not None and newest.content_hash == digest:
        return None
    number = (newest.number if newest else 0) + 1
    _add_version(db, row, number, document, digest, "edit", author, author.name, note.strip())
    try:
        await db.commit()
    except IntegrityError:
        # Two saves raced for the same number: the other one won; this one must not overwrite.
        await db.rollback()
        newest = await _newest_version(db, row)
        assert newest is not None
        raise EditConflict(newest) from None
    return number


async def variant_count(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count(VariantRow.id))) or 0)


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
