"""Writing groups: making one, its facilitators, and making a session's participant a member."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sessions.groups.membership import new_member_id
from sessions.groups.models import (
    Group,
    GroupFacilitator,
    GroupMember,
    GroupSession,
    SessionMember,
)

MAX_GROUP_NAME = 120


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


async def add_facilitator(db: AsyncSession, group_id: int, user_id: int) -> None:
    exists = await db.get(GroupFacilitator, (group_id, user_id))
    if exists is None:
        db.add(GroupFacilitator(group_id=group_id, user_id=user_id))


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
