"""Writing variants: a variant's version from the content files (catalogue/seed.py runs the
seeding), coordinators' edits."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.schema import ContentError, Problem
from catalogue.variants.models import VariantRow, VariantVersion
from catalogue.variants.queries import load_goals
from catalogue.variants.schema import Variant, parse_variant
from server.i18n import N_
from server.models import User

SEED_AUTHOR = "catalogus (inhoudsbestanden)"


def content_hash(document: Mapping[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def seed_variant(db: AsyncSession, variant: Variant) -> str:
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
