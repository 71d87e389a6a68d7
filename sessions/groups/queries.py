"""Reading groups: a group, its facilitators, members and sessions, and who was who."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import User
from sessions.groups.models import (
    Group,
    GroupFacilitator,
    GroupMember,
    GroupSession,
    SessionMember,
)
from sessions.models import LiveSession


async def group_by_public_id(db: AsyncSession, public_id: str) -> Group | None:
    return await db.scalar(select(Group).where(Group.public_id == public_id))


async def group_of_session(db: AsyncSession, session_id: int) -> Group | None:
    return await db.scalar(
        select(Group)
        .join(GroupSession, GroupSession.group_id == Group.id)
        .where(GroupSession.session_id == session_id)
    )


async def facilitator_ids(db: AsyncSession, group_id: int) -> set[int]:
    rows = await db.scalars(
        select(GroupFacilitator.user_id).where(GroupFacilitator.group_id == group_id)
    )
    return set(rows)


async def groups_of_facilitator(db: AsyncSession, user_id: int) -> list[Group]:
    rows = await db.scalars(
        select(Group)
        .join(GroupFacilitator, GroupFacilitator.group_id == Group.id)
        .where(GroupFacilitator.user_id == user_id)
        .order_by(Group.name, Group.id)
    )
    return list(rows)


async def members(db: AsyncSession, group_id: int) -> list[GroupMember]:
    """The group's members, in the order they joined."""
    rows = await db.scalars(
        select(GroupMember)
        .where(GroupMember.group_id == group_id)
        .order_by(GroupMember.joined_at, GroupMember.id)
    )
    return list(rows)


async def member(db: AsyncSession, group_id: int, member_id: str) -> GroupMember | None:
    return await db.scalar(
        select(GroupMember).where(
            GroupMember.group_id == group_id, GroupMember.member_id == member_id
        )
    )


async def member_of_account(db: AsyncSession, group_id: int, user_id: int) -> GroupMember | None:
    return await db.scalar(
        select(GroupMember)
        .where(GroupMember.group_id == group_id, GroupMember.user_id == user_id)
        .order_by(GroupMember.id)
        .limit(1)
    )


async def sessions_of(db: AsyncSession, group_id: int) -> list[LiveSession]:
    """The group's sessions, in the order they were made."""
    rows = await db.scalars(
        select(LiveSession)
        .join(GroupSession, GroupSession.session_id == LiveSession.id)
        .where(GroupSession.group_id == group_id)
        .order_by(LiveSession.id)
    )
    return list(rows)


async def participants_of_member(db: AsyncSession, member_id: str) -> dict[int, str]:
    """session id -> the member's participant id in it."""
    rows = await db.execute(
        select(SessionMember.session_id, SessionMember.participant).where(
            SessionMember.member_id == member_id
        )
    )
    return {session_id: participant for session_id, participant in rows}


async def members_of_session(db: AsyncSession, session_id: int) -> dict[str, str]:
    """participant id -> member id, in one session."""
    rows = await db.execute(
        select(SessionMember.participant, SessionMember.member_id).where(
            SessionMember.session_id == session_id
        )
    )
    return {participant: member_id for participant, member_id in rows}


async def facilitators(db: AsyncSession, group_id: int) -> list[User]:
    """The accounts that run the group, by name."""
    rows = await db.scalars(
        select(User)
        .join(GroupFacilitator, GroupFacilitator.user_id == User.id)
        .where(GroupFacilitator.group_id == group_id)
        .order_by(User.name, User.id)
    )
    return list(rows)


async def account_by_email(db: AsyncSession, email: str) -> User | None:
    """An active account by its (normalised) e-mail address."""
    return await db.scalar(select(User).where(User.email == email, User.is_active.is_(True)))
