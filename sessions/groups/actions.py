"""Writing groups: making one, its name and usual practice, its facilitators, and making a
session's participant a member."""

from __future__ import annotations

import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from sessions.groups import queries
from sessions.groups.access import runs_groups
from sessions.groups.membership import new_member_id
from sessions.groups.models import (
    Group,
    GroupFacilitator,
    GroupMember,
    GroupSession,
    SessionMember,
)

MAX_GROUP_NAME = 120


class LastFacilitator(Exception):
    """Taking this facilitator off would leave the group without anyone who runs it."""


async def create_group(
    db: AsyncSession,
    name: str,
    user_id: int,
    variant_slug: str | None = None,
    region_slug: str | None = None,
    theme_slug: str | None = None,
) -> Group:
    """A new group with its creator as facilitator (the caller commits)."""
    group = Group(
        public_id=secrets.token_urlsafe(9),
        name=name,
        variant_slug=variant_slug,
        region_slug=region_slug,
        theme_slug=theme_slug,
        created_by=user_id,
    )
    db.add(group)
    await db.flush()
    db.add(GroupFacilitator(group_id=group.id, user_id=user_id))
    return group


async def change_settings(
    db: AsyncSession, group_id: int, name: str, variant_slug: str | None
) -> None:
    """Rename the group and set its usual practice (None: none); the caller commits. Its
    sessions keep their titles; its next one starts from the new name and practice."""
    await db.execute(
        update(Group).where(Group.id == group_id).values(name=name, variant_slug=variant_slug)
    )


async def add_facilitator(
    db: AsyncSession, group_id: int, user_id: int, *, actor_id: int | None = None
) -> None:
    """The account runs the group too (in `db`'s transaction); audited when an account
    (`actor_id`) does it: who may see a group's members is worth a record."""
    exists = await db.get(GroupFacilitator, (group_id, user_id))
    if exists is None:
        db.add(GroupFacilitator(group_id=group_id, user_id=user_id))
        if actor_id is not None:
            _record(db, "group.facilitator_add", await _public_id(db, group_id), user_id, actor_id)


async def remove_facilitator(
    db: AsyncSession, group_id: int, user_id: int, *, actor_id: int | None = None
) -> None:
    """Take the account off the group's facilitators and commit (audited when an account,
    `actor_id`, does it); raise `LastFacilitator` (nothing changed) when no facilitator who
    runs the group (`runs_groups`) would remain. Their membership of the group, if any, and
    their sessions stay as they are."""
    # Two facilitators taking each other off at once must not both succeed. PostgreSQL: the
    # group's row is locked first, so the second waits and then counts what the first left.
    # SQLite (no row locks): the delete comes before the count, and from that first write on
    # the transaction holds the database's write lock, so the second delete waits likewise.
    locked = select(Group.public_id).where(Group.id == group_id).with_for_update()
    public_id = (await db.execute(locked)).scalar_one()
    await db.execute(
        delete(GroupFacilitator).where(
            GroupFacilitator.group_id == group_id, GroupFacilitator.user_id == user_id
        )
    )
    if not any(runs_groups(user) for user in await queries.facilitators(db, group_id)):
        await db.rollback()
        raise LastFacilitator
    if actor_id is not None:
        _record(db, "group.facilitator_remove", public_id, user_id, actor_id)
    await db.commit()


async def _public_id(db: AsyncSession, group_id: int) -> str:
    return (await db.execute(select(Group.public_id).where(Group.id == group_id))).scalar_one()


def _record(db: AsyncSession, action: str, group: str, user_id: int, actor_id: int) -> None:
    audit.record(
        db,
        action,
        f"group:{group}/account:{user_id}",
        actor=f"account:{actor_id}",
        actor_id=actor_id,
    )


async def enrol(
    db: AsyncSession,
    group_id: int,
    session_id: int,
    participant: str,
    name: str,
    member_id: str | None,
    user_id: int | None = None,
) -> GroupMember:
    """Record that `participant` of the group's session is a member: the member `member_id`
    when given and still in the group (their name updated to this join's), else a new one.
    The caller commits."""
    member = None
    if member_id is not None:
        member = await db.scalar(
            select(GroupMember).where(
                GroupMember.group_id == group_id, GroupMember.member_id == member_id
            )
        )
    if member is None:
        member = GroupMember(
            group_id=group_id, member_id=new_member_id(), name=name, user_id=user_id
        )
        db.add(member)
        await db.flush()
    else:
        member.name = name
        if user_id is not None:
            member.user_id = user_id
    link = await db.get(SessionMember, (session_id, participant))
    if link is None:
        db.add(
            SessionMember(
                session_id=session_id, participant=participant, member_id=member.member_id
            )
        )
    return member


async def attach_session(db: AsyncSession, group_id: int, session_id: int) -> None:
    """Make a session one of the group's (the caller commits)."""
    db.add(GroupSession(session_id=session_id, group_id=group_id))
