"""Who may read an outcome in the library, and the regions an account is a member of.

Visibility follows the outcome's sharing level (docs/library.md): "open" to everyone, also
without an account; "national" to every logged-in account; "region" to members of the outcome's
region and to coordinators; "group" is never listed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.outcomes.models import OutcomeRow, UserRegion
from catalogue.regions.models import RegionRow
from server import audit
from server.models import Role, User


def may_read(user: User | None, outcome: OutcomeRow, memberships: Collection[str]) -> bool:
    """Whether `user` may read `outcome` at its sharing level (its creator aside).

    `memberships`: the region slugs `user` belongs to (`await memberships_of(db, user)`).
    """
    level = outcome.sharing
    if level == "open":
        return True
    if user is None:
        return False
    if level == "national":
        return True
    if level == "region":
        return user.has_role(Role.COORDINATOR) or (
            outcome.region_slug is not None and outcome.region_slug in memberships
        )
    return False


async def memberships_of(db: AsyncSession, user: User | None) -> frozenset[str]:
    """The region slugs an account is a member of (none without an account)."""
    if user is None:
        return frozenset()
    rows = await db.scalars(select(UserRegion.region_slug).where(UserRegion.user_id == user.id))
    return frozenset(rows)


async def all_memberships(db: AsyncSession) -> dict[int, list[str]]:
    """Account id -> its region slugs, sorted (for the accounts page)."""
    result: dict[int, list[str]] = {}
    for row in await db.scalars(
        select(UserRegion).order_by(UserRegion.user_id, UserRegion.region_slug)
    ):
        result.setdefault(row.user_id, []).append(row.region_slug)
    return result


async def regions_and_memberships(
    db: AsyncSession,
) -> tuple[list[RegionRow], dict[int, list[str]]]:
    """The regions by name, and each account's memberships: what the accounts page (a page of
    the server core, server/pages.py) shows, handed to it by the assembly (server/app.py)."""
    regions = list(await db.scalars(select(RegionRow).order_by(RegionRow.name)))
    return regions, await all_memberships(db)


async def set_memberships(
    db: AsyncSession, user_id: int, regions: Iterable[str], *, actor_id: int | None = None
) -> list[str]:
    """Make an account a member of exactly these regions (unknown slugs are ignored) and
    commit; returns the slugs kept. With `actor_id` (a coordinator's account) the change is
    audited (`account.regions`): memberships decide who reads region-level outcomes."""
    known = set(await db.scalars(select(RegionRow.slug)))
    kept = sorted({slug for slug in regions if slug in known})
    await db.execute(delete(UserRegion).where(UserRegion.user_id == user_id))
    for slug in kept:
        db.add(UserRegion(user_id=user_id, region_slug=slug))
    if actor_id is not None:
        audit.record(
            db,
            "account.regions",
            f"account:{user_id}",
            actor=f"account:{actor_id}",
            actor_id=actor_id,
            detail=",".join(kept),
        )
    await db.commit()
    return kept
