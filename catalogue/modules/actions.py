"""Writing modules: create one, save it as a new version, share it by link (commits each)."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.modules.document import Choices, check_document, slugify
from catalogue.modules.models import ModuleRow, ModuleVersion
from catalogue.schema import ContentError
from server.db import utcnow
from server.models import User


async def create_module(
    db: AsyncSession, document: dict[str, Any], choices: Choices, user: User | None, note: str = ""
) -> ModuleRow:
    """A new module with its first version; commits. Raises ContentError, storing nothing."""
    problems = check_document(document, choices)
    if problems:
        raise ContentError("module", problems)
    base = slugify(document["title"])
    for attempt in range(3):
        slug = base
        number = 1
        while await db.scalar(select(ModuleRow.id).where(ModuleRow.slug == slug)) is not None:
            number += 1
            slug = f"{base}-{number}"
        module = ModuleRow(slug=slug, owner_id=user.id if user else None)
        db.add(module)
        try:
            await db.flush()
            _add_version(db, module.id, 1, document, user, note)
            await db.commit()
        except IntegrityError:
            # Another request took this slug first: take the next one.
            await db.rollback()
            if attempt == 2:
                raise
            continue
        return module
    raise AssertionError("unreachable")


async def save_version(
    db: AsyncSession,
    module: ModuleRow,
    document: dict[str, Any],
    choices: Choices,
    user: User | None,
    note: str = "",
) -> int:
    """Save `document` as the module's next version; commits; returns its number."""
    problems = check_document(document, choices)
    if problems:
        raise ContentError("module", problems)
    module_id = module.id  # read before a rollback expires it
    for attempt in range(3):
        newest = await db.scalar(
            select(func.max(ModuleVersion.number)).where(ModuleVersion.module_id == module_id)
        )
        number = int(newest or 0) + 1
        _add_version(db, module_id, number, document, user, note)
        module.updated_at = utcnow()
        try:
            await db.commit()
        except IntegrityError:
            # Someone saved this number at the same moment: this save becomes the next one.
            await db.rollback()
            if attempt == 2:
                raise
            continue
        return number
    raise AssertionError("unreachable")


def _add_version(
    db: AsyncSession,
    module_id: int,
    number: int,
    document: dict[str, Any],
    user: User | None,
    note: str,
) -> None:
    db.add(
        ModuleVersion(
            module_id=module_id,
            number=number,
            document=document,
            author_id=user.id if user else None,
            author_name=user.name if user else "",
            note=note[:500],
        )
    )


async def set_shared(db: AsyncSession, module: ModuleRow, shared: bool) -> str | None:
    """Share by link (a new token each time) or stop sharing; commits; returns the token."""
    module.share_token = secrets.token_urlsafe(24) if shared else None
    await db.commit()
    return module.share_token
