"""Reading modules: one by slug or share token, its versions, an educator's modules, and the
outcomes an educator may choose as cases."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.library.access import memberships_of
from catalogue.modules.document import may_read_outcome
from catalogue.modules.models import ModuleRow, ModuleVersion
from catalogue.outcomes.gate import title_of
from catalogue.outcomes.models import OutcomeRow
from server.models import Role, User


async def load_module(db: AsyncSession, slug: str) -> ModuleRow | None:
    return await db.scalar(select(ModuleRow).where(ModuleRow.slug == slug))


async def module_by_token(db: AsyncSession, token: str) -> ModuleRow | None:
    if not token or len(token) > 64:
        return None
    return await db.scalar(select(ModuleRow).where(ModuleRow.share_token == token))


async def versions(db: AsyncSession, module: ModuleRow) -> list[ModuleVersion]:
    """Every version, newest first."""
    rows = await db.scalars(
        select(ModuleVersion)
        .where(ModuleVersion.module_id == module.id)
        .order_by(ModuleVersion.number.desc())
    )
    return list(rows)


async def latest(db: AsyncSession, module: ModuleRow) -> ModuleVersion:
    found = await versions(db, module)
    return found[0]


async def modules_of(db: AsyncSession, user: User) -> list[tuple[ModuleRow, ModuleVersion]]:
    """The user's modules (a coordinator's: all), newest first, with their latest version."""
    query = select(ModuleRow).order_by(ModuleRow.updated_at.desc(), ModuleRow.id.desc())
    if not user.has_role(Role.COORDINATOR):
        query = query.where(ModuleRow.owner_id == user.id)
    return [(module, await latest(db, module)) for module in await db.scalars(query)]


async def all_modules(db: AsyncSession) -> list[ModuleRow]:
    return list(await db.scalars(select(ModuleRow).order_by(ModuleRow.slug)))


async def outcome_choices(db: AsyncSession, user: User | None) -> dict[str, str]:
    """Outcomes `user` may choose as cases: public id -> title as it leaves the group (the
    sharing gate's; an outcome never gated is no choice), newest first."""
    memberships = await memberships_of(db, user)
    rows = await db.scalars(
        select(OutcomeRow).order_by(OutcomeRow.held_on.desc(), OutcomeRow.id.desc()).limit(500)
    )
    return {
        row.public_id: title
        for row in rows
        if may_read_outcome(user, row, memberships) and (title := title_of(row.gated)) is not None
    }
