"""Reading regions and the national themes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.regions.models import NationalThemeRow, RegionRow


async def load_regions(db: AsyncSession) -> list[RegionRow]:
    return list(await db.scalars(select(RegionRow).order_by(RegionRow.name)))


async def load_national_themes(db: AsyncSession) -> list[NationalThemeRow]:
    """The national themes (landelijke thema's), in the order of their content file."""
    return list(await db.scalars(select(NationalThemeRow).order_by(NationalThemeRow.position)))


async def load_region(db: AsyncSession, slug: str) -> RegionRow | None:
    return await db.scalar(select(RegionRow).where(RegionRow.slug == slug))
